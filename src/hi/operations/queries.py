"""Look-ups shared by the web UI, the API and the CLI, each failing with a message a person understands."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from hi.apps.control.dispatch import ControllerNotFound, find_controller_by_key
from hi.apps.control.models import Controller
from hi.apps.entity.models import Entity
from hi.apps.event.models import Event
from hi.integrations.keys import IntegrationKey
from hi.utils import params


class NotFound(LookupError):
    """Nothing matches what the user asked for; the message says what was asked."""


class BadInput(ValueError):
    """The request is malformed; the message says how to fix it."""


def parse_when(text: str, name: str = "time") -> dt.datetime:
    """An ISO 8601 date or date-time in range; naive values are read in the hub's time zone."""
    try:
        return params.parse_datetime(text, name)
    except params.ParameterError as exc:
        raise BadInput(str(exc)) from exc


def find_entity(key_or_id: str | int, queryset: QuerySet[Entity] | None = None) -> Entity:
    """An entity by numeric id or integration key (``id:name``, also matching a detached key)."""
    queryset = queryset if queryset is not None else Entity.objects.all()
    text = str(key_or_id).strip()
    if text.isdigit():
        if not params.is_id(text):
            raise NotFound(f"no entity {text[:40]!r}")
        entity = queryset.filter(pk=int(text)).first()
    else:
        try:
            key = IntegrationKey.parse(text)
        except ValueError as exc:
            raise BadInput(f"{text!r} is neither an entity id nor an integration key like hass:light.kitchen") from exc
        entity = (queryset.filter(integration_id=key.integration_id, integration_name=key.integration_name).first()
                  or queryset.filter(detached_key=str(key)).first())
    if entity is None:
        raise NotFound(f"no entity {text!r}")
    return entity


def find_controller(key_or_id: str | int) -> Controller:
    """A controller by numeric id or integration key (a detached key finds the controller it was)."""
    text = str(key_or_id).strip()
    if text.isdigit():
        if not params.is_id(text):
            raise NotFound(f"no controller {text[:40]!r}")
        controller = Controller.objects.select_related("entity_state").filter(pk=int(text)).first()
        if controller is None:
            raise NotFound(f"no controller {text!r}")
        return controller
    try:
        key = IntegrationKey.parse(text)
    except ValueError as exc:
        raise BadInput(f"{text!r} is not a controller key like hass:light.kitchen") from exc
    try:
        return find_controller_by_key(key)
    except ControllerNotFound as exc:
        raise NotFound(f"no controller {text!r}") from exc


def filter_events(entity: str | None = None, since: str | dt.datetime | None = None,
                  until: str | dt.datetime | None = None, state_type: str | None = None) -> QuerySet[Event]:
    events = Event.objects.select_related("entity")  # the media JSON asks the entity's gateway
    if entity:
        events = events.filter(entity=find_entity(entity))
    if since:
        events = events.filter(start__gte=since if isinstance(since, dt.datetime) else parse_when(since, "since"))
    if until:
        events = events.filter(start__lte=until if isinstance(until, dt.datetime) else parse_when(until, "until"))
    if state_type:
        events = events.filter(entity_state__state_type=state_type)
    return events.order_by("-start", "-id")
