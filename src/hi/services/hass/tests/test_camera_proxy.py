"""Home Assistant cameras through our authenticated proxy: a picture for signed-in people, never the token."""

from __future__ import annotations

import pytest
from django.test import Client

from hi.apps.access.testing import make_user
from hi.apps.entity.models import Entity
from hi.integrations import integration_factory
from hi.integrations.sync.engine import run_sync
from hi.services.hass.testing import configure
from hi.simulator.hass import HassSimulator

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed_in() -> Client:
    client = Client()
    client.force_login(make_user("alice", password="correct horse battery"))
    return client


def _camera() -> Entity:
    return next(e for e in Entity.objects.filter(integration_id="hass", entity_type="camera")
                if "camera.front_yard" in (e.integration_payload or {}).get("entity_ids", [e.integration_name]))


def test_a_camera_picture_comes_through_the_proxy_without_the_token(threaded_sim: HassSimulator, signed_in):
    configure(threaded_sim)
    run_sync("hass")
    media = integration_factory.get_gateway("hass").media_urls(_camera())
    assert media.picture == "/hass/cameras/camera.front_yard/picture"
    assert media.stream == "/hass/cameras/camera.front_yard/stream"
    response = signed_in.get(media.picture)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response.content.startswith(b"\xff\xd8")  # a JPEG
    assert threaded_sim.token.encode() not in response.content
    assert response["Cache-Control"] == "no-store"


def test_only_imported_cameras_and_only_for_signed_in_people(threaded_sim: HassSimulator, signed_in):
    configure(threaded_sim)
    run_sync("hass")
    assert signed_in.get("/hass/cameras/camera.nowhere/picture").status_code == 404
    assert signed_in.get("/hass/cameras/light.kitchen/picture").status_code == 404
    assert Client().get("/hass/cameras/camera.front_yard/picture").status_code == 302  # to the login page


def test_home_assistant_down_is_a_clear_502(threaded_sim: HassSimulator, signed_in):
    configure(threaded_sim)
    run_sync("hass")
    threaded_sim.faults.set("error_burst", status=503, count=5)
    response = signed_in.get("/hass/cameras/camera.front_yard/picture")
    # the shared error picture (an <img> shows it), never what Home Assistant said
    assert response.status_code == 502 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_image_entity_comes_through_the_strict_proxy(threaded_sim: HassSimulator, signed_in, caplog):
    configure(threaded_sim)
    run_sync("hass")

    class Lone:
        integration_name = "image.front_yard_snapshot"
        integration_payload = {"entity_ids": ["image.front_yard_snapshot"]}

    url = integration_factory.get_gateway("hass").media_urls(Lone()).picture  # type: ignore[arg-type]
    assert url == "/hass/images/image.front_yard_snapshot"
    response = signed_in.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff" and response.content.startswith(b"\xff\xd8")
    threaded_sim.image_content_type = "text/html"  # a server answering with a page: never relayed
    refused = signed_in.get(url)
    assert refused.status_code == 502 and b"<script>" not in refused.content
    assert refused["Content-Type"] == "image/jpeg"  # the hub's own 'no picture'
    assert signed_in.get("/hass/images/image.not_imported").status_code == 404
    assert signed_in.get("/hass/images/camera.front_yard").status_code == 404  # only image.* here
    assert Client().get(url).status_code == 302  # signed-in people only
    assert threaded_sim.token not in caplog.text and "sim-image-token" not in caplog.text
