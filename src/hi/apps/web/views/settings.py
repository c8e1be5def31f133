"""The household settings page: one form per registered section (``hi.apps.web.settings_sections``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hi.apps.web import settings_sections


def page(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        section = settings_sections.get_section(request.POST.get("section", ""))
        if section is None:
            raise Http404("no such settings section")
        try:
            messages.success(request, section.save(request))
            return redirect(f"{request.path}#settings-{section.section_id}")
        except ValueError as exc:
            errors[section.section_id] = str(exc)
    shown = []
    for section in settings_sections.sections():
        context = section.context(request)  # a context's "problem" is a standing one, e.g. a refused backup
        shown.append({"section": section, "context": context,
                      "error": errors.get(section.section_id, "") or context.get("problem", "")})
    return render(request, "web/settings.html", {"sections": shown}, status=400 if errors else 200)
