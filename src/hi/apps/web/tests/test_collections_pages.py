"""Collections and things added by hand in the UI: create, add, reorder, pin as a home tab (grid or list)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hi.apps.entity.models import Entity
from hi.apps.places import collections, operations
from hi.apps.places.models import Collection

from .homedata import build_home

pytestmark = pytest.mark.django_db


def test_create_fill_reorder_and_pin_a_collection(client_in):
    lights = build_home(6)[::2]
    response = client_in.post(reverse("collection-create"), {"name": "Downstairs lights", "view": "grid"}, follow=True)
    assert "Created “Downstairs lights”" in response.content.decode()
    collection = Collection.objects.get()
    for light in lights:
        client_in.post(reverse("collection-add", args=[collection.id]), {"entity": light.id})
    order = [lights[2].id, lights[0].id, lights[1].id]
    client_in.post(reverse("collection-save", args=[collection.id]), {
        "name": "Downstairs lights", "view": "list", "pinned": "on", "order": ",".join(map(str, order))})
    assert collections.member_ids(collection) == order
    client_in.post(reverse("collection-remove", args=[collection.id, lights[0].id]))
    assert collections.member_ids(collection) == [lights[2].id, lights[1].id]

    home = client_in.get(reverse("home")).content.decode()
    assert "home-tabs" in home and "Downstairs lights" in home
    tab = client_in.get(reverse("home"), {"collection": collection.id}).content.decode()
    assert "collection-list" in tab  # shown as a list
    assert tab.index(lights[2].name) < tab.index(lights[1].name) and lights[0].name not in tab
    collections.update_collection(collection.id, view="grid")
    grid = client_in.get(reverse("home"), {"collection": collection.id}).content.decode()
    assert "collection-list" not in grid and grid.count('class="card entity-card') == 2


def test_add_a_thing_by_hand_and_link_it_later(client_in):
    operations.create_location("Cellar")
    cellar = operations.find_location("Cellar")
    response = client_in.post(reverse("thing-add"), {"name": "Fuse box", "entity_type": "appliance",
                                                     "location": cellar.pk}, follow=True)
    body = response.content.decode()
    assert "Added “Fuse box”" in body and "Added by hand" in body and "Link to it" not in body
    fuse = Entity.objects.get(name="Fuse box")
    assert fuse.location_id == cellar.pk and fuse.integration_id is None
    panel = build_home(1)[0]
    body = client_in.get(reverse("entity", args=[fuse.id])).content.decode()
    assert "Link to it" in body
    response = client_in.post(reverse("entity-link", args=[fuse.id]), {"target": panel.id}, follow=True)
    assert "is now part of" in response.content.decode()
    assert not Entity.objects.filter(pk=fuse.id).exists()
    panel.refresh_from_db()
    assert panel.location_id == cellar.pk
