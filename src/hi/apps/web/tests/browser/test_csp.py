"""The pages under the enforced Content-Security-Policy (audit finding 10): no violation, and what used to be
inline (confirmations, image fallbacks, charts, auto-submitting selects, htmx) still works from static files."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from hi.apps.access.testing import PASSWORD
from hi.apps.entity.enums import AttributeSource, EntityStateType, EntityType
from hi.apps.entity.models import Entity, EntityAttribute, EntityState
from hi.apps.sense.models import Sensor, SensorHistory

from .conftest import chromium_page, log_in

pytestmark = pytest.mark.browser

PAGES = ["/", "/events/", "/cameras/", "/cameras/wall/", "/weather/", "/places/", "/collections/", "/alerts/", "/rules/",
         "/rules/new", "/channels/", "/settings/", "/webhooks/", "/integrations/", "/integrations/hass/configure",
         "/health/", "/homebox/warranties/", "/people/", "/api/v1/docs"]


def _home() -> tuple[Entity, EntityAttribute]:
    lamp = Entity.objects.create(name="Desk lamp", entity_type=EntityType.LIGHT)
    temperature = EntityState.objects.create(entity=lamp, state_key="temperature", name="Temperature",
                                             state_type=EntityStateType.TEMPERATURE, value=21.0, units="°C")
    sensor = Sensor.objects.create(entity_state=temperature, name="thermometer")
    now = timezone.now()
    SensorHistory.objects.bulk_create([SensorHistory(sensor=sensor, value=20 + i % 3, response_at=now - dt.timedelta(minutes=i))
                                       for i in range(10)])
    note = EntityAttribute.objects.create(entity=lamp, name="Bulb", value="E27", source=AttributeSource.USER)
    camera = Entity.objects.create(name="Shed cam", entity_type=EntityType.CAMERA)
    EntityAttribute.objects.create(entity=camera, name="snapshot", value="/no/such/snapshot.jpg")
    return lamp, note


def test_pages_run_under_the_enforced_policy(live_hub):
    get_user_model().objects.create_superuser("root", password=PASSWORD)
    lamp, note = _home()
    violations: list[str] = []
    with chromium_page(live_hub.url, bypass_csp=False) as page:  # CSP enforced
        page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text else None)
        log_in(page, "root")
        for path in PAGES:
            page.goto(path)
            page.wait_for_load_state("load")
            if path != "/api/v1/docs":
                assert page.evaluate("typeof window.htmx") == "object", path

        page.goto(f"/entities/{lamp.pk}/")  # the history chart starts from its script tag's data- attribute
        page.wait_for_selector("canvas.history-chart[data-points]")
        dialogs: list[str] = []

        def dismiss(dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", dismiss)  # data-confirm: a "no" keeps the attribute
        page.click(f"form[action$='/attributes/{note.pk}/delete'] button")
        page.wait_for_load_state("load")
        assert dialogs == ["Delete Bulb?"] and EntityAttribute.objects.filter(pk=note.pk).exists()

        page.goto("/cameras/")  # data-on-error="next": the broken snapshot gives way to its placeholder
        page.wait_for_selector("text=No picture right now", state="visible")
        page.goto("/homebox/warranties/?days=30")  # data-autosubmit
        page.select_option("#days", "90")
        page.wait_for_url(lambda url: "days=90" in url)
    assert violations == []
