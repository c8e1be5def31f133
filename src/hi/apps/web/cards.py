"""What each home-page card shows: its primary value first, labelled values, the control that fits, and
whether its values are current — prepared in Python so the page costs the same queries for any number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString

from hi.apps.entity.availability import Availability, AvailabilityIndex
from hi.apps.entity.enums import EntityStateType, EntityType, binary_values
from hi.apps.entity.models import Entity
from hi.integrations import integration_factory
from hi.utils.urls import same_origin_path

from .presentation import control_spec, short_label
from .widgets import choices_html, live_state_html, quick_toggle_html, slider_html, stepper_html

S = EntityStateType
SHOWN_STATES = 3
_READING_FIRST = {EntityType.THERMOSTAT, EntityType.WEATHER_STATION}
_SLIDERS = {S.LIGHT_DIMMER, S.OPEN_CLOSE_POSITION}
_LAST = {S.MULTIVALUED, S.BLOB}


@dataclass
class Card:
    """One entity's card: ``values`` are (label, live badge) pairs, primary first."""

    entity: Entity
    availability: Availability
    values: list[SafeString] = field(default_factory=list)
    hidden_count: int = 0
    toggle: str = ""
    control: str = ""
    subtitle: str = ""
    picture_url: str = ""
    camera_url: str = ""


def _rank(entity: Entity, state: Any, label: str) -> int:
    """Primary value first: a thermostat's or station's reading, then the entity's own state, then what
    a person can change, then the rest; lists and blobs (forecasts) last."""
    controllable = bool(state.controllers.all())
    if entity.entity_type in _READING_FIRST and state.state_type == S.TEMPERATURE:
        return 1 if controllable else 0  # current, then target
    if state.state_type in _LAST:
        return 4
    if not label:
        return 1
    return 2 if controllable else 3


def panel_codes(entities: list[Entity]) -> dict[int, bool]:
    """Whether each alarm panel's controller asks for a typed code now (it takes one and none is stored).

    The owning gateway decides from the controller's payload; two queries for the whole page, none
    when the page has no alarm panel.
    """
    from hi.apps.control.models import ControlCode, Controller

    panels = [e.id for e in entities if e.entity_type == EntityType.ALARM_PANEL and e.integration_id]
    if not panels:
        return {}
    controllers = list(Controller.objects.filter(entity_state__entity_id__in=panels)
                       .only("id", "integration_id", "integration_name", "integration_payload"))
    stored = set(ControlCode.objects.filter(controller__in=controllers).values_list("controller_id", flat=True))
    needs = {}
    for controller in controllers:
        try:
            gateway = integration_factory.get_gateway(controller.integration_id)
        except Exception:  # an integration whose code is gone: it cannot be controlled anyway
            continue
        needs[controller.id] = controller.id not in stored and gateway.control_needs_code(controller)
    return needs


def _controls(entity: Entity, states: list[Any], labels: dict[int, str],
              index: AvailabilityIndex, codes: dict[int, bool]) -> tuple[SafeString, SafeString]:
    """The one-tap toggle (first two-valued or lock state) and one more control (slider, stepper or an alarm
    panel's modes)."""
    toggle, control = SafeString(""), SafeString("")
    for state in states:
        controllers = state.controllers.all()
        if not controllers:
            continue
        availability = index.of_state(entity, state)
        reason = "" if availability.available else availability.reason
        spec = control_spec(state.state_type, state.value_range, state.units)
        label = labels[state.id] or state.name
        if not toggle and spec.kind == "toggle" and (binary_values(state.state_type) or len(spec.options) == 2):
            # the switch of a secondary value (an alarm panel's siren) says what it switches
            caption = label if state is not states[0] and labels[state.id] else ""
            toggle = quick_toggle_html(entity.id, state, controllers[0].id, spec, reason, caption)
        elif not control and spec.kind == "slider" and (state.state_type in _SLIDERS or state.units == "%"):
            control = slider_html(entity.id, state, controllers[0].id, spec, label, reason)
        elif not control and spec.kind == "stepper":
            control = stepper_html(entity.id, state, controllers[0].id, spec, label, reason)
        elif not control and spec.kind == "select" and entity.entity_type == EntityType.ALARM_PANEL:
            control = choices_html(entity.id, state, controllers[0].id, spec, label, reason,
                                   codes.get(controllers[0].id, False))
    return toggle, control


def integration_label(integration_id: str | None) -> str:
    if not integration_id:
        return ""
    try:
        return integration_factory.get_gateway_class(integration_id).label
    except Exception:  # an integration whose code is gone still shows by its id
        return integration_id


def build_cards(entities: list[Entity], index: AvailabilityIndex, room_paths: dict[int, str],
                camera_urls: dict[int, dict[str, str]]) -> list[Card]:
    """Cards for one page of entities; names shared by two cards get the room (else the integration) beside them."""
    names: dict[str, int] = {}
    for entity in entities:
        names[entity.name.lower()] = names.get(entity.name.lower(), 0) + 1
    cards = []
    codes = panel_codes(entities)
    for entity in entities:
        states = list(entity.states.all())
        labels = {state.id: short_label(state.name, entity.name) for state in states}
        ordered = sorted(states, key=lambda s: _rank(entity, s, labels[s.id]))
        multi = len(states) > 1
        toggle, control = _controls(entity, ordered, labels, index, codes)
        card = Card(entity=entity, availability=index.of_entity(entity), toggle=toggle, control=control,
                    values=[live_state_html(s, labels[s.id] if multi else "") for s in ordered[:SHOWN_STATES]],
                    hidden_count=max(0, len(states) - SHOWN_STATES),
                    picture_url=getattr(entity, "picture_url", ""),
                    camera_url=camera_urls.get(entity.id, {}).get("snapshot", ""))
        if names[entity.name.lower()] > 1:
            room = room_paths.get(entity.location_id) if entity.location_id else ""
            card.subtitle = room or integration_label(entity.integration_id)
        cards.append(card)
    return cards


def camera_urls(entities: list[Entity]) -> dict[int, dict[str, str]]:
    """Snapshot/stream paths of the cameras among ``entities`` from their gateways (one query for all)."""
    ids = [e.id for e in entities if e.entity_type == EntityType.CAMERA and e.integration_id]
    if not ids:
        return {}
    rows = Entity.objects.filter(id__in=ids).only("id", "integration_id", "integration_name", "integration_payload")
    urls: dict[int, dict[str, str]] = {}
    for row in rows:
        try:
            media = integration_factory.get_gateway(row.integration_id).media_urls(row)
        except Exception:  # an integration whose code is gone: no picture, the card still shows
            continue
        urls[row.id] = {key: value for key, value in (("snapshot", media.picture), ("stream", media.stream))
                        if same_origin_path(value)}
    return urls
