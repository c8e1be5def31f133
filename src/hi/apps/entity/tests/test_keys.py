"""Integration keys on our model: unique while live, remembered while detached, user data detection."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from hi.apps.entity.enums import AttributeSource
from hi.apps.entity.models import Entity, EntityAttribute
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


def test_user_data_is_renames_or_user_attributes():
    plain = Entity.objects.create(name="plain", integration_id="x", integration_name="1")
    EntityAttribute.objects.create(entity=plain, name="serial", value="1", source=AttributeSource.INTEGRATION)
    renamed = Entity.objects.create(name="renamed", integration_id="x", integration_name="2", user_fields=["name"])
    noted = Entity.objects.create(name="noted", integration_id="x", integration_name="3")
    EntityAttribute.objects.create(entity=noted, name="note", value="mine")
    assert (plain.has_user_data, renamed.has_user_data, noted.has_user_data) == (False, True, True)
