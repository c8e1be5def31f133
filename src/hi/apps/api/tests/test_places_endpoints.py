"""Places over the REST API: the tree, assigning entities, things added by hand, and clear 4xx errors."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .factories import make_light

pytestmark = [pytest.mark.django_db, pytest.mark.urls("hi.apps.api.tests.urls")]


def put(api, url: str, body: dict):
    return api.put(url, data=json.dumps(body), content_type="application/json")


def post(api, url: str, body: dict):
    return api.post(url, data=json.dumps(body), content_type="application/json")


def test_build_a_tree_rename_move_and_delete(api):
    home = post(api, "/api/v1/locations", {"name": "Home"}).json()
    floor = post(api, "/api/v1/locations", {"name": "Ground floor", "parent": home["id"]}).json()
    kitchen = post(api, "/api/v1/locations", {"name": "Kitchen", "parent": "Ground floor"})
    assert kitchen.status_code == 201
    assert kitchen.json()["path"] == "Home / Ground floor / Kitchen" and kitchen.json()["kind"] == "room"
    assert floor["kind"] == "floor" and home["kind"] == "home"
    dup = post(api, "/api/v1/locations", {"name": "KITCHEN", "parent": floor["id"]})
    assert dup.status_code == 400 and "already exists" in dup.json()["detail"]

    listed = api.get("/api/v1/locations").json()
    assert [(r["name"], r["depth"]) for r in listed] == [("Home", 0), ("Ground floor", 1), ("Kitchen", 2)]

    kid = kitchen.json()["id"]
    moved = put(api, f"/api/v1/locations/{kid}", {"name": "Scullery", "parent": home["id"]}).json()
    assert moved["path"] == "Home / Scullery"
    assert put(api, f"/api/v1/locations/{home['id']}", {"parent": kid}).status_code == 400  # inside itself
    assert api.get("/api/v1/locations/999").status_code == 404
    assert api.delete(f"/api/v1/locations/{kid}").json()["deleted"] == "Scullery"
    assert api.get(f"/api/v1/locations/{kid}").status_code == 404


def test_assign_an_entity_and_see_location_in_its_json(api):
    lamp = make_light("Lamp", "light.lamp")
    post(api, "/api/v1/locations", {"name": "Home"})
    post(api, "/api/v1/locations", {"name": "Study", "parent": "Home"})
    answer = put(api, "/api/v1/entities/test_switch:light.lamp/location", {"location": "study"})
    assert answer.status_code == 200
    assert answer.json()["location"]["path"] == "Home / Study"
    detail = api.get(f"/api/v1/entities/{lamp.entity.id}").json()
    assert detail["location"] == {"id": answer.json()["location"]["id"], "name": "Study", "path": "Home / Study"}
    cleared = put(api, f"/api/v1/entities/{lamp.entity.id}/location", {"location": None}).json()
    assert cleared["location"] is None
    assert put(api, f"/api/v1/entities/{lamp.entity.id}/location", {"location": "Nowhere"}).status_code == 404


def test_entity_list_costs_the_same_queries_with_places(api):
    post(api, "/api/v1/locations", {"name": "Home"})
    for i in range(2):
        make_light(f"Light {i}", f"light.l{i}")
        put(api, f"/api/v1/entities/test_switch:light.l{i}/location", {"location": "Home"})
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/entities")
    for i in range(2, 12):
        make_light(f"Light {i}", f"light.l{i}")
        put(api, f"/api/v1/entities/test_switch:light.l{i}/location", {"location": "Home"})
    with CaptureQueriesContext(connection) as many:
        items = api.get("/api/v1/entities").json()["items"]
    assert len(many) == len(few) and all(e["location"]["name"] == "Home" for e in items)


def test_add_a_thing_by_hand(api):
    post(api, "/api/v1/locations", {"name": "Cellar"})
    made = post(api, "/api/v1/entities", {"name": "Water main shut-off", "entity_type": "appliance",
                                          "location": "Cellar"})
    assert made.status_code == 201
    body = made.json()
    assert body["integration_key"] is None and body["location"]["path"] == "Cellar" and body["states"] == []
    bad = post(api, "/api/v1/entities", {"name": "X", "entity_type": "spaceship"})
    assert bad.status_code == 400 and "type must be one of" in bad.json()["detail"]


def test_plans_and_placements_over_the_api(api):
    from hi.apps.places.tests.svgs import MALICIOUS_SVG

    home = post(api, "/api/v1/locations", {"name": "Home"}).json()["id"]
    assert api.get(f"/api/v1/locations/{home}/plan").status_code == 404
    lamp = make_light("Lamp", "light.lamp")
    body = {"svg": MALICIOUS_SVG.decode(), "placements": [{"entity_id": lamp.entity.id, "x": 10, "y": 20}],
            "fade_seconds": 60}
    plan = put(api, f"/api/v1/locations/{home}/plan", body)
    assert plan.status_code == 200, plan.content
    data = plan.json()
    assert (data["format"], data["width"], data["height"], data["fade_seconds"]) == ("svg", 400.0, 300.0, 60)
    assert data["placements"][0]["entity_id"] == lamp.entity.id
    image = api.get(data["image_url"])
    assert image.status_code == 200 and b"<script" not in image.content and b"onload" not in image.content
    bad = put(api, f"/api/v1/locations/{home}/plan", {"placements": [{"entity_id": 999999}]})
    assert bad.status_code == 400 and "no entity" in bad.json()["detail"]
    assert len(api.get(f"/api/v1/locations/{home}/plan").json()["placements"]) == 1
    assert put(api, f"/api/v1/locations/{home}/plan", {"image_base64": "!!"}).status_code == 400
    assert api.delete(f"/api/v1/locations/{home}/plan").status_code == 204


def test_collections_over_the_api(api):
    a, b = make_light("A", "light.a"), make_light("B", "light.b")
    made = post(api, "/api/v1/collections", {"name": "Lights", "entity_ids": [b.entity.id, a.entity.id]})
    assert made.status_code == 201 and made.json()["entity_ids"] == [b.entity.id, a.entity.id]
    cid = made.json()["id"]
    changed = put(api, f"/api/v1/collections/{cid}", {"pinned": True, "entity_ids": [a.entity.id]}).json()
    assert changed["pinned"] and changed["entity_ids"] == [a.entity.id] and changed["name"] == "Lights"
    assert api.get("/api/v1/collections").json()[0]["size"] == 1
    assert put(api, f"/api/v1/collections/{cid}", {"view": "table"}).status_code == 400
    assert api.delete(f"/api/v1/collections/{cid}").json() == {"deleted": "Lights"}
    assert api.get(f"/api/v1/collections/{cid}").status_code == 404


def test_link_a_hand_made_thing_over_the_api(api):
    lamp = make_light("Lamp", "light.lamp")
    made = post(api, "/api/v1/entities", {"name": "Old lamp", "entity_type": "light"}).json()
    linked = post(api, f"/api/v1/entities/{made['id']}/link", {"target": "test_switch:light.lamp"})
    assert linked.status_code == 200 and linked.json()["id"] == lamp.entity.id
    assert api.get(f"/api/v1/entities/{made['id']}").status_code == 404
