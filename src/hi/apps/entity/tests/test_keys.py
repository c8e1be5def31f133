"""Integration keys on our model: unique while live, remembered while detached, user data detection."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from hi.apps.entity.models import Entity
from hi.integrations.keys import IntegrationKey

pytestmark = pytest.mark.django_db


def test_a_live_key_is_unique_but_detached_rows_may_share_nothing_live():
    Entity.objects.create(name="a", integration_id="hass", integration_name="light.a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Entity.objects.create(name="b", integration_id="hass", integration_name="light.a")
    Entity.objects.create(name="c")
    Entity.objects.create(name="d")  # keyless rows never collide


def test_detach_remembers_the_key_and_reconnect_restores_it():
    entity = Entity.objects.create(name="a", integration_id="hass", integration_name="light.a")
    entity.detach()
    entity.save()
    assert entity.is_detached and entity.detached_key == "hass:light.a" and entity.integration_key is None
    entity.reconnect(IntegrationKey.parse("hass:light.a"))
    entity.save()
    assert not entity.is_detached and entity.integration_key_str == "hass:light.a"
