"""Every page needs a login, renders for a person, and costs the same queries whatever the home's size."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hi.apps.entity.enums import AttributeSource, EntityStateType, EntityType
from hi.apps.entity.models import Entity, EntityAttribute, EntityState
from hi.apps.event.models import Event
from hi.apps.sense.models import SensorHistory

from .homedata import build_home, build_rooms

pytestmark = pytest.mark.django_db


def test_pages_redirect_to_login_when_signed_out(db):
    for name in ("home", "integrations", "events", "cameras", "weather", "system-health"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_login_page_signs_in(user):
    client = Client()
    assert client.get(reverse("login")).status_code == 200
    bad = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert "do not match" in bad.content.decode()
    good = client.post(reverse("login"), {"username": "alice", "password": "correct horse battery"})
    assert good.status_code == 302 and good["Location"] == reverse("home")


def test_home_shows_states_as_words(client_in):
    build_home(4)
    body = client_in.get(reverse("home")).content.decode()
    assert "Light 00000" in body and "Thermometer 00001" in body
    assert "On" in body and "20.5 °C" in body
    assert 'sse-swap="state-' in body and 'sse-connect="/live/stream"' in body


def test_home_filters_and_search(client_in):
    build_home(8)
    by_type = client_in.get(reverse("home"), {"type": "sensor"}).content.decode()
    assert "Thermometer 00001" in by_type and "Light 00000" not in by_type
    by_state = client_in.get(reverse("home"), {"state": "on"}).content.decode()
    assert "Light 00000" in by_state and "Light 00002" not in by_state
    by_search = client_in.get(reverse("home"), {"q": "00003"}).content.decode()
    assert "Thermometer 00003" in by_search and "Light 00000" not in by_search
    by_integration = client_in.get(reverse("home"), {"integration": "zoneminder"}).content.decode()
    assert "Nothing matches" in by_integration


def test_home_htmx_request_returns_only_results(client_in):
    build_home(2)
    response = client_in.get(reverse("home"), {"q": "Light"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    body = response.content.decode()
    assert "Light 00000" in body and "<nav" not in body.split("pagination")[0]


def _queries(client: Client, url_name: str, params: dict | None = None, args: tuple = ()) -> int:
    """Counted with an execute wrapper: the request's own start resets Django's query log."""
    executed: list[str] = []

    def count(execute, sql, params_, many, context):
        executed.append(sql)
        return execute(sql, params_, many, context)

    with connection.execute_wrapper(count):
        assert client.get(reverse(url_name, args=args), params or {}).status_code == 200
    return len(executed)


def _home_queries(client: Client, params: dict | None = None) -> int:
    return _queries(client, "home", params)


def test_home_query_count_does_not_grow_with_entities(client_in):
    build_home(10)
    small = _home_queries(client_in)
    assert 3 <= small <= 15  # 2 of them: the header's security mode and the open-alerts banner; 1 the role
    build_home(300, integration_id="other")
    assert _home_queries(client_in) == small
    assert _home_queries(client_in, {"page": 3, "state": "on"}) <= small + 1


def test_home_groups_by_room_by_default_in_tree_order_with_roomless_last(client_in):
    rooms = build_rooms(3)
    build_home(20, rooms=rooms)
    body = client_in.get(reverse("home")).content.decode()
    headings = [body.index(f"Home / {r.parent.name} / {r.name}") for r in
                sorted(rooms, key=lambda r: (r.parent.position, r.position))]
    assert headings == sorted(headings)
    assert headings[-1] < body.index("No room")
    by_type = client_in.get(reverse("home"), {"group": "type"}).content.decode()
    assert "No room" not in by_type and "Thermometer 00001" in by_type


def test_home_by_room_costs_the_same_queries_however_many_entities_and_rooms(client_in):
    build_home(10, rooms=build_rooms(2))
    small = _home_queries(client_in, {"group": "room"})
    build_home(300, integration_id="other", rooms=build_rooms(20))
    assert _home_queries(client_in, {"group": "room"}) == small


def test_home_paginates(client_in):
    build_home(130)
    body = client_in.get(reverse("home"), {"page": 3}).content.decode()
    assert "Page 3 of 3" in body and "130 entities" in body


def _lamp() -> Entity:
    build_home(2)
    return Entity.objects.get(name="Light 00000")


def test_entity_page_has_controls_history_and_provenance(client_in):
    lamp = _lamp()
    power = lamp.states.get(state_key="power")
    sensor = power.sensors.get()
    SensorHistory.objects.create(sensor=sensor, value="on", response_at=timezone.now())
    Event.objects.create(entity=lamp, entity_state=power, value="on", start=timezone.now() - dt.timedelta(minutes=5),
                         end=timezone.now(), duration_seconds=300)
    body = client_in.get(reverse("entity", args=[lamp.id])).content.decode()
    assert "control-toggle" in body and 'type="range"' in body
    assert "hass:thing.0" in body and "5 min" in body
    history = client_in.get(reverse("entity-history", args=[lamp.id]), {"state": power.id, "period": "1h"}).json()
    assert history["points"][0]["y"] == 1.0 and history["stepped"] is True


def test_detached_entity_explains_reconnect(client_in):
    lamp = _lamp()
    lamp.detach()
    lamp.save()
    body = client_in.get(reverse("entity", args=[lamp.id])).content.decode()
    assert "detached" in body and "reconnects" in body and "hass:thing.0" in body


def test_rename_marks_name_as_the_users(client_in):
    lamp = _lamp()
    response = client_in.post(reverse("entity-rename", args=[lamp.id]), {"name": "Reading lamp"})
    assert response.status_code == 302
    lamp.refresh_from_db()
    assert lamp.name == "Reading lamp" and "name" in lamp.user_fields


def test_user_attributes_add_edit_delete_and_upload(client_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lamp = _lamp()
    client_in.post(reverse("attribute-add", args=[lamp.id]), {"name": "Bulb", "value_type": "text", "value": "E27"})
    attribute = EntityAttribute.objects.get(entity=lamp, name="Bulb")
    assert attribute.source == AttributeSource.USER
    client_in.post(reverse("attribute-edit", args=[attribute.id]), {"name": "Bulb", "value_type": "text",
                                                                   "value": "GU10"})
    attribute.refresh_from_db()
    assert attribute.value == "GU10"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("manual.txt", b"read me", content_type="text/plain")
    client_in.post(reverse("attribute-add", args=[lamp.id]), {"name": "Manual", "value_type": "file", "file": upload})
    manual = EntityAttribute.objects.get(entity=lamp, name="Manual")
    download = client_in.get(reverse("attribute-file", args=[manual.id]))
    assert b"".join(download.streaming_content) == b"read me"
    client_in.post(reverse("attribute-delete", args=[attribute.id]))
    assert not EntityAttribute.objects.filter(pk=attribute.id).exists()
    lamp.refresh_from_db()
    assert lamp.user_fields == []


def test_an_empty_attribute_is_refused_with_a_reason(client_in):
    lamp = _lamp()
    response = client_in.post(reverse("attribute-add", args=[lamp.id]), {"name": "Empty", "value_type": "text"},
                              follow=True)
    assert "enter a value" in response.content.decode()
    assert not EntityAttribute.objects.filter(entity=lamp).exists()


def test_a_date_attribute_must_be_a_date(client_in):
    lamp = _lamp()
    response = client_in.post(reverse("attribute-add", args=[lamp.id]),
                              {"name": "Bought", "value_type": "date", "value": "last spring"}, follow=True)
    assert "is not a date" in response.content.decode()
    assert not EntityAttribute.objects.filter(entity=lamp).exists()
    client_in.post(reverse("attribute-add", args=[lamp.id]), {"name": "Bought", "value_type": "date",
                                                              "value": "2026-04-15"})
    assert EntityAttribute.objects.get(entity=lamp, name="Bought").value == "2026-04-15"


def test_integration_attributes_cannot_be_edited(client_in):
    lamp = _lamp()
    owned = EntityAttribute.objects.create(entity=lamp, name="Model", value="X1", source=AttributeSource.INTEGRATION)
    assert client_in.post(reverse("attribute-delete", args=[owned.id])).status_code == 404
    assert EntityAttribute.objects.filter(pk=owned.id).exists()


def test_events_timeline_filters(client_in):
    lamp = _lamp()
    power = lamp.states.get(state_key="power")
    Event.objects.create(entity=lamp, entity_state=power, value="on", start=timezone.now() - dt.timedelta(days=3),
                         end=timezone.now(), duration_seconds=3 * 86400)
    assert "Light 00000" in client_in.get(reverse("events"), {"period": "7d"}).content.decode()
    assert "No events in this period" in client_in.get(reverse("events"), {"period": "24h"}).content.decode()
    assert "No events" in client_in.get(reverse("events"), {"type": "movement"}).content.decode()


def test_cameras_use_proxy_paths_only(client_in):
    camera = Entity.objects.create(name="Porch cam", entity_type=EntityType.CAMERA, integration_id="zoneminder",
                                   integration_name="monitor.1",
                                   integration_payload={"stream_path": "/zoneminder/monitors/1/stream",
                                                        "snapshot_path": "http://192.0.2.9/zm/cgi-bin/nph-zms?token=x"})
    movement = EntityState.objects.create(entity=camera, state_key="movement", name="Movement",
                                          state_type=EntityStateType.MOVEMENT, value="idle")
    Event.objects.create(entity=camera, entity_state=movement, value="active", start=timezone.now(),
                         end=timezone.now(), duration_seconds=12, details={"cause": "Motion"})
    body = client_in.get(reverse("cameras"), {"live": "1"}).content.decode()
    assert "/zoneminder/monitors/1/stream" in body and "192.0.2.9" not in body and "12 s" in body


def test_weather_page_shows_conditions_forecast_and_alerts(client_in):
    station = Entity.objects.create(name="Home weather", entity_type=EntityType.WEATHER_STATION)
    now = timezone.now()
    for key, state_type, value, units in (
        ("temperature", EntityStateType.TEMPERATURE, 21.5, "°C"),
        ("forecast_hourly", EntityStateType.MULTIVALUED, [{"time": now.isoformat(), "temperature": 20}], ""),
        ("alerts", EntityStateType.BLOB, [{"id": "a1", "event": "Flood Watch", "severity": "Severe", "alarm": True}], ""),
        ("provenance", EntityStateType.BLOB, {"temperature": {"source": "nws", "observed_at": now.isoformat(),
                                                              "stale": False}}, ""),
    ):
        EntityState.objects.create(entity=station, state_key=key, name=key, state_type=state_type, value=value,
                                   units=units)
    body = client_in.get(reverse("weather")).content.decode()
    assert "21.5 °C" in body and "nws" in body and "Flood Watch" in body and "hourly-series" in body


def test_health_page_lists_worker_state(client_in):
    body = client_in.get(reverse("system-health")).content.decode()
    assert "No worker has run yet" in body


def test_not_found_is_a_friendly_page(client_in, settings):
    settings.DEBUG = False
    response = client_in.get("/entities/999999/")
    assert response.status_code == 404 and "There is nothing at this address" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_forms_without_csrf_get_a_friendly_403(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    lamp = _lamp()
    response = client.post(reverse("entity-rename", args=[lamp.id]), {"name": "x"})
    assert response.status_code == 403 and "Please try again" in response.content.decode()


def test_server_errors_render_without_details():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Something went wrong" in page and "Traceback" not in page


def test_thermostat_gets_a_mode_selector_and_the_cards_set_point_stepper(client_in):
    from hi.apps.control.models import Controller

    thermostat = Entity.objects.create(name="Hall thermostat", entity_type=EntityType.THERMOSTAT,
                                       integration_id="hass", integration_name="climate.hall")
    mode = EntityState.objects.create(entity=thermostat, state_key="mode", name="Mode",
                                      state_type=EntityStateType.DISCRETE, value="heat",
                                      value_range=["off", "heat", "cool"])
    target = EntityState.objects.create(entity=thermostat, state_key="target", name="Target",
                                        state_type=EntityStateType.TEMPERATURE, value=21, units="°C",
                                        value_range={"min": 7, "max": 30})
    for state in (mode, target):
        Controller.objects.create(entity_state=state, name=state.name, integration_id="hass",
                                  integration_name=f"climate.hall.{state.state_key}")
    body = client_in.get(reverse("entity", args=[thermostat.id])).content.decode()
    assert '<select class="form-select form-select-lg" name="value"' in body
    assert '<option value="heat" selected>Heat</option>' in body
    assert 'type="number"' not in body  # the card's stepper, in the row's control form, with the state's range
    assert (f'class="btn-group control-stepper" role="group" aria-label="Target" data-control-state="{target.id}" '
            'data-step="0.5" data-min="7" data-max="30"') in body
    assert 'value="20.5" class="btn btn-outline-secondary" aria-label="Lower Target"' in body
    assert 'value="21.5" class="btn btn-outline-secondary" aria-label="Raise Target"' in body


def test_integrations_and_health_pages_cost_the_same_queries_however_many_are_configured(client_in):
    from hi.integrations import integration_factory
    from hi.integrations.enums import IntegrationStatus
    from hi.integrations.models import Integration

    installed = integration_factory.available_integration_ids()
    Integration.objects.create(integration_id=installed[0], status=IntegrationStatus.PAUSED)
    one = {name: _queries(client_in, name) for name in ("integrations", "system-health")}
    for integration_id in installed[1:]:
        Integration.objects.create(integration_id=integration_id, status=IntegrationStatus.PAUSED)
    assert len(installed) >= 3
    assert {name: _queries(client_in, name) for name in one} == one


def _events(entity: Entity, count: int) -> None:
    """``count`` closed events of the entity's first state, a minute apart."""
    state = entity.states.order_by("id").first()
    start = timezone.now() - dt.timedelta(hours=1)
    Event.objects.bulk_create([Event(entity=entity, entity_state=state, value="on", end=start,
                                     start=start - dt.timedelta(minutes=i + 1), duration_seconds=60)
                               for i in range(count)])


def test_entity_and_events_pages_cost_the_same_queries_however_much_they_show(client_in):
    lamp = _lamp()
    _events(lamp, 1)
    entity_page = _queries(client_in, "entity", args=(lamp.id,))
    events_page = _queries(client_in, "events")
    for number in range(5):
        state = EntityState.objects.create(entity=lamp, state_key=f"extra{number}", name=f"Extra {number}",
                                           state_type=EntityStateType.ON_OFF, value="off")
        EntityAttribute.objects.create(entity=lamp, name=f"Note {number}", value="text")
        Event.objects.create(entity=lamp, entity_state=state, value="on", start=timezone.now())
    for other in build_home(6, integration_id="other"):
        _events(other, 10)
    _events(lamp, 40)
    assert _queries(client_in, "entity", args=(lamp.id,)) == entity_page
    assert _queries(client_in, "events") == events_page


def test_cameras_page_costs_the_same_queries_however_many_cameras(client_in):
    def camera(number: int) -> None:
        entity = Entity.objects.create(name=f"Cam {number}", entity_type=EntityType.CAMERA,
                                       integration_id="zoneminder", integration_name=f"monitor.{number}",
                                       integration_payload={"snapshot_path": f"/zoneminder/monitors/{number}/snapshot"})
        EntityState.objects.create(entity=entity, state_key="movement", name="Movement",
                                   state_type=EntityStateType.MOVEMENT, value="idle")
        EntityAttribute.objects.create(entity=entity, name="Location", value="porch")
        _events(entity, 3)

    camera(1)
    one = _queries(client_in, "cameras")
    for number in range(2, 8):
        camera(number)
    assert _queries(client_in, "cameras") == one


def test_a_user_attribute_cannot_point_a_camera_at_another_origin(client_in):
    # security audit finding 9: "/\127.0.0.1:18620/snap.jpg" passed the old startswith("/") test
    camera = Entity.objects.create(name="Garage cam", entity_type=EntityType.CAMERA)
    EntityAttribute.objects.create(entity=camera, name="snapshot", value="/\\127.0.0.1:18620/snap.jpg")
    EntityAttribute.objects.create(entity=camera, name="stream", value="//127.0.0.1:18620/live")
    body = client_in.get(reverse("cameras")).content.decode()
    assert "Garage cam" in body and "127.0.0.1:18620" not in body


def test_a_replaced_or_retyped_file_attribute_leaves_no_file_behind(client_in, settings, tmp_path,
                                                                    django_capture_on_commit_callbacks):
    # security audit finding 12: after switching to text, /attributes/<id>/file still served the old upload
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    lamp = _lamp()
    with django_capture_on_commit_callbacks(execute=True):
        client_in.post(reverse("attribute-add", args=[lamp.id]), {
            "name": "Manual", "value_type": "file", "file": SimpleUploadedFile("one.txt", b"first")})
    manual = EntityAttribute.objects.get(entity=lamp, name="Manual")
    first = tmp_path / manual.file.name
    assert first.read_bytes() == b"first"
    with django_capture_on_commit_callbacks(execute=True):
        client_in.post(reverse("attribute-edit", args=[manual.id]), {
            "name": "Manual", "value_type": "file", "file": SimpleUploadedFile("two.txt", b"second")})
    manual.refresh_from_db()
    assert not first.exists() and (tmp_path / manual.file.name).read_bytes() == b"second"
    second = tmp_path / manual.file.name
    with django_capture_on_commit_callbacks(execute=True):
        client_in.post(reverse("attribute-edit", args=[manual.id]), {"name": "Manual", "value_type": "text",
                                                                    "value": "see the box"})
    manual.refresh_from_db()
    assert manual.value == "see the box" and not manual.file and not second.exists()
    assert client_in.get(reverse("attribute-file", args=[manual.id])).status_code == 404
