"""The demo home's places on a hub whose integrations suggested none: a default tree, a plan, a collection,
and nothing duplicated when the demo starts again."""

from __future__ import annotations

import pytest

from hi.apps.entity.models import Entity
from hi.apps.places.demo import seed_demo_places
from hi.apps.places.models import Collection, FloorPlan, Location, Placement

pytestmark = pytest.mark.django_db


def test_the_demo_home_gets_floors_rooms_a_plan_and_a_collection_once():
    Entity.objects.create(name="Kitchen light", entity_type="light")
    Entity.objects.create(name="Front door lock", entity_type="lock")
    result = seed_demo_places()
    assert result["plan"]["location"] == "Home / Ground floor"
    assert Entity.objects.get(name="Kitchen light").location.name == "Kitchen"
    assert Placement.objects.filter(entity__name="Kitchen light").exists()
    assert Collection.objects.get().pinned
    counts = (Location.objects.count(), FloorPlan.objects.count(), Placement.objects.count(), Collection.objects.count())
    again = seed_demo_places()
    assert again["plan"] is None and again["collection"] is None
    assert counts == (Location.objects.count(), FloorPlan.objects.count(), Placement.objects.count(),
                      Collection.objects.count())
