"""The places pages: the tree, uploading a plan (sanitized), saving placements, the plan and kiosk views
(queries independent of how many things are placed) and the tap panel."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from hi.apps.entity.models import Entity
from hi.apps.places import operations, plans
from hi.apps.places.models import FloorPlan, Placement
from hi.apps.places.tests.svgs import MALICIOUS_SVG, floor_svg

from .homedata import build_home

pytestmark = pytest.mark.django_db


def _count(client, url: str) -> int:
    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(url).status_code == 200
    return len(executed)


def _home_with_plan(things: int = 0) -> tuple[int, list[Entity]]:
    home = operations.create_location("Home")["id"]
    plans.save_plan(home, floor_svg())
    entities = build_home(things) if things else []
    plans.set_placements(home, [{"entity_id": e.id, "x": 10 + i % 700, "y": 10 + i % 400}
                                for i, e in enumerate(entities)])
    return home, entities


def test_the_places_page_lists_the_tree_and_adds_places(client_in):
    client_in.post(reverse("place-add"), {"name": "Home"})
    home = operations.find_location("Home")
    response = client_in.post(reverse("place-add"), {"name": "Kitchen", "parent": home.pk}, follow=True)
    body = response.content.decode()
    assert "Added Home / Kitchen" in body and "Add a plan" in body
    body = client_in.post(reverse("place-add"), {"name": "kitchen", "parent": home.pk}, follow=True).content.decode()
    assert "already exists" in body


def test_uploading_a_malicious_svg_stores_and_serves_it_neutralized(client_in):
    home = operations.create_location("Home")["id"]
    upload = SimpleUploadedFile("plan.svg", MALICIOUS_SVG, content_type="image/svg+xml")
    response = client_in.post(reverse("plan-upload", args=[home]), {"plan": upload}, follow=True)
    assert "Plan saved" in response.content.decode()
    image = client_in.get(reverse("plan-image", args=[home]))
    assert image["Content-Type"] == "image/svg+xml" and "default-src 'none'" in image["Content-Security-Policy"]
    assert image["X-Content-Type-Options"] == "nosniff"
    served = image.content.decode()
    assert "script" not in served and "onload" not in served and "javascript:" not in served
    assert "203.0.113.9" not in served and "Living room" in served


def test_a_bad_upload_is_refused_with_a_reason(client_in):
    home = operations.create_location("Home")["id"]
    upload = SimpleUploadedFile("plan.txt", b"hello", content_type="text/plain")
    body = client_in.post(reverse("plan-upload", args=[home]), {"plan": upload}, follow=True).content.decode()
    assert "The plan was not saved" in body and not FloorPlan.objects.exists()


def test_the_editor_saves_placements_as_json_all_or_nothing(client_in):
    home, _ = _home_with_plan()
    lamp = Entity.objects.create(name="Lamp", entity_type="light")
    url = reverse("plan-placements", args=[home])
    ok = client_in.post(url, json.dumps({"placements": [{"entity_id": lamp.id, "x": 5, "y": 6}], "fade_seconds": 120}),
                        content_type="application/json")
    assert ok.status_code == 200 and ok.json()["saved"] == 1
    assert FloorPlan.objects.get().fade_seconds == 120
    bad = client_in.post(url, json.dumps({"placements": [{"entity_id": "x"}]}), content_type="application/json")
    assert bad.status_code == 400 and "entity_id" in bad.json()["detail"]
    assert client_in.post(url, b"{not json", content_type="application/json").status_code == 400
    assert Placement.objects.count() == 1
    editor = client_in.get(reverse("plan-edit", args=[home])).content.decode()
    assert 'id="placements-data"' in editor and "Lamp" in editor


def test_the_plan_view_draws_placements_with_their_live_states(client_in):
    home, _ = _home_with_plan(4)
    body = client_in.get(reverse("plan", args=[home])).content.decode()
    assert body.count('class="plan-thing plan-icon') == 4
    assert 'data-meaning="light"' in body and 'sse-swap="state-' in body
    kiosk = client_in.get(reverse("plan-kiosk", args=[home])).content.decode()
    assert "navbar" not in kiosk and "plan-stage" in kiosk and 'sse-connect="/live/stream"' in kiosk
    assert client_in.session.get_expiry_age() > 300 * 24 * 3600  # the wall tablet stays signed in


def test_plan_view_and_kiosk_cost_the_same_queries_for_3_or_200_things(client_in):
    home, _ = _home_with_plan(3)
    few = _count(client_in, reverse("plan", args=[home]))
    kiosk_few = _count(client_in, reverse("plan-kiosk", args=[home]))
    entities = build_home(200, integration_id="more")
    plans.set_placements(home, [{"entity_id": e.id, "x": 10 + i, "y": 20} for i, e in enumerate(entities)])
    assert _count(client_in, reverse("plan", args=[home])) == few
    assert _count(client_in, reverse("plan-kiosk", args=[home])) == kiosk_few


def test_things_of_an_unavailable_integration_are_greyed_on_the_plan_with_the_reason(client_in):
    from hi.integrations.enums import IntegrationStatus
    from hi.integrations.models import Integration

    Integration.objects.create(integration_id="hass", status=IntegrationStatus.PAUSED)
    home, _ = _home_with_plan(2)
    body = client_in.get(reverse("plan", args=[home])).content.decode()
    assert 'plan-icon meaning-light is-unavailable" title="Light 00000: Home Assistant is paused"' in body
    assert body.count('data-integration="hass"') >= 2  # app.js lifts or sets it live


def test_the_tap_panel_has_the_cards_controls(client_in):
    lamp = build_home(1)[0]
    body = client_in.get(reverse("entity-panel", args=[lamp.id])).content.decode()
    assert lamp.name in body and "control-toggle" in body and reverse("entity", args=[lamp.id]) in body


def test_a_person_picks_a_place_on_the_entity_page_and_syncs_keep_it(client_in):
    lamp = build_home(1)[0]
    kitchen = operations.create_location("Kitchen")["id"]
    client_in.post(reverse("entity-place", args=[lamp.id]), {"location": kitchen})
    lamp.refresh_from_db()
    assert lamp.location_id == kitchen and "location" in lamp.user_fields
    assert "Kitchen" in client_in.get(reverse("entity", args=[lamp.id])).content.decode()


def test_rename_move_reorder_and_delete_a_place_in_the_ui(client_in):
    operations.create_location("Home")
    operations.create_location("Kitchen", parent="Home")
    operations.create_location("Upstairs", parent="Home")
    kitchen, upstairs = operations.find_location("Kitchen"), operations.find_location("Upstairs")
    lamp = Entity.objects.create(name="Lamp", location=kitchen)
    body = client_in.post(reverse("place-edit", args=[kitchen.pk]),
                          {"name": "Scullery", "parent": upstairs.pk, "position": "3"}, follow=True).content.decode()
    assert "Saved Home / Upstairs / Scullery" in body
    body = client_in.post(reverse("place-edit", args=[upstairs.pk]), {"name": "Upstairs", "parent": kitchen.pk},
                          follow=True).content.decode()
    assert "inside itself" in body
    body = client_in.post(reverse("place-delete", args=[kitchen.pk]), follow=True).content.decode()
    assert "Deleted Scullery; 1 thing(s) in it now have no place" in body
    lamp.refresh_from_db()
    assert lamp.location_id is None
