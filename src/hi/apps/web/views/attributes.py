"""User attributes of an entity: add, edit, delete and download files. Integration attributes are read-only."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from hi.apps.entity.enums import AttributeSource
from hi.apps.entity.models import Entity, EntityAttribute
from hi.apps.web.forms import AttributeForm
from hi.http.files import file_response


def _form_errors(form: AttributeForm) -> str:
    return "; ".join(f"{field}: {' '.join(errs)}" if field != "__all__" else " ".join(errs)
                     for field, errs in form.errors.items())


@require_POST
def add(request: HttpRequest, entity_id: int) -> HttpResponse:
    entity = get_object_or_404(Entity, pk=entity_id)
    form = AttributeForm(request.POST, request.FILES, instance=EntityAttribute(entity=entity,
                                                                             source=AttributeSource.USER))
    if form.is_valid():
        attribute = form.save()
        messages.success(request, f"Added “{attribute.name}”.")
    else:
        messages.error(request, f"Not added — {_form_errors(form)}")
    return redirect("entity", entity_id=entity.id)


def _user_attribute(attribute_id: int) -> EntityAttribute:
    attribute = get_object_or_404(EntityAttribute, pk=attribute_id)
    if attribute.source != AttributeSource.USER:
        raise Http404("only attributes you added can be changed")
    return attribute


@require_POST
def edit(request: HttpRequest, attribute_id: int) -> HttpResponse:
    attribute = _user_attribute(attribute_id)
    form = AttributeForm(request.POST, request.FILES, instance=attribute)
    if form.is_valid():
        form.save()
        messages.success(request, f"Saved “{attribute.name}”.")
    else:
        messages.error(request, f"Not saved — {_form_errors(form)}")
    return redirect("entity", entity_id=attribute.entity_id)


@require_POST
def delete(request: HttpRequest, attribute_id: int) -> HttpResponse:
    attribute = _user_attribute(attribute_id)
    entity_id, name = attribute.entity_id, attribute.name
    if attribute.file:
        attribute.file.delete(save=False)
    attribute.delete()
    messages.success(request, f"Deleted “{name}”.")
    return redirect("entity", entity_id=entity_id)


@require_GET
def download(request: HttpRequest, attribute_id: int) -> FileResponse:
    """Files are served through this login-protected view, never from a public media URL."""
    attribute = get_object_or_404(EntityAttribute, pk=attribute_id)
    if not attribute.file:
        raise Http404("no file")
    return file_response(request, attribute.file.open("rb"), as_attachment=True,
                         filename=attribute.file.name.rsplit("/", 1)[-1])
