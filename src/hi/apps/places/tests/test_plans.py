"""Plans: sanitizing uploads (SVG through svg-hush and a structural pass; PNG/JPEG through Pillow) and
placements (validated all or nothing)."""

from __future__ import annotations

import pytest

from hi.apps.entity.models import Entity
from hi.apps.places import operations, plans
from hi.apps.places.models import FloorPlan, Placement

from .svgs import MALICIOUS_SVG, floor_svg, jpeg, png

pytestmark = pytest.mark.django_db


def test_a_malicious_svg_loses_scripts_handlers_external_references_and_javascript_links():
    cleaned, width, height = plans.sanitize_svg(MALICIOUS_SVG)
    text = cleaned.decode()
    assert (width, height) == (400.0, 300.0)
    for bad in ("<script", "onload", "onclick", "onerror", "javascript:", "203.0.113.9", "foreignObject", "@import"):
        assert bad not in text, bad
    assert "Living room" in text and 'href="#room"' in text  # the drawing itself survives


def test_svg_size_comes_from_the_viewbox_then_width_and_height():
    assert plans.sanitize_svg(floor_svg(800, 500))[1:] == (800.0, 500.0)
    sized = b'<svg xmlns="http://www.w3.org/2000/svg" width="300px" height="200"><rect width="5" height="5"/></svg>'
    assert plans.sanitize_svg(sized)[1:] == (300.0, 200.0)


@pytest.mark.parametrize("data, message", [
    (b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>", "not a valid SVG"),
    (b"<html><body>hi</body></html>", "neither an SVG"),
    (b"GIF89a" + b"\0" * 20, "neither an SVG"),
    (b"", "empty"),
])
def test_unusable_uploads_are_refused_with_a_reason_and_nothing_is_stored(data, message):
    location = operations.create_location("Home")
    with pytest.raises(plans.PlanError, match=message):
        plans.save_plan(location["id"], data)
    assert not FloorPlan.objects.exists()


def test_png_and_jpeg_are_measured_and_kept_as_they_are():
    home = operations.create_location("Home")
    plan = plans.save_plan(home["id"], png(64, 40))
    assert (plan.format, plan.width, plan.height) == ("png", 64.0, 40.0)
    plan = plans.save_plan(home["id"], jpeg(30, 20))
    assert (plan.format, plan.width, plan.height) == ("jpeg", 30.0, 20.0)
    assert FloorPlan.objects.count() == 1  # replaced, not added


def test_placements_are_validated_clamped_and_replaced_all_or_nothing():
    home = operations.create_location("Home")
    plans.save_plan(home["id"], floor_svg(800, 500))
    lamp, door = (Entity.objects.create(name=n) for n in ("Lamp", "Door"))
    plans.set_placements(home["id"], [
        {"entity_id": lamp.id, "x": 900, "y": -5, "size": 30, "rotation": 370},
        {"entity_id": door.id, "shape": "area", "points": [[0, 0], [100, 0], [100, 100], [0, 100]]},
    ])
    icon, area = Placement.objects.order_by("id")
    assert (icon.x, icon.y, icon.rotation) == (800.0, 0.0, 10.0)
    assert (area.x, area.y) == (50.0, 50.0)
    for bad, message in [
        ([{"entity_id": lamp.id, "x": "left"}], "x must be a number"),
        ([{"entity_id": 999999}], "no entity with id 999999"),
        ([{"entity_id": lamp.id}, {"entity_id": lamp.id}], "only once"),
        ([{"entity_id": lamp.id, "shape": "area", "points": [[1, 2]]}], "3 to 200 points"),
        ([{"entity_id": lamp.id, "shape": "blob"}], "icon' or 'area"),
    ]:
        with pytest.raises(plans.PlanError, match=message):
            plans.set_placements(home["id"], bad)
    assert Placement.objects.count() == 2  # every refusal left the saved placements alone


def test_placing_on_a_place_without_a_plan_says_so():
    home = operations.create_location("Home")
    with pytest.raises(operations.PlaceNotFound, match="has no plan yet"):
        plans.set_placements(home["id"], [])
