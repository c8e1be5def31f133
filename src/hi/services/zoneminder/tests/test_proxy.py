"""Live view and snapshots go through our server: login required, the ZoneMinder token never leaves it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from django.test import AsyncClient

from hi.apps.access.testing import make_user
from hi.integrations.sync.engine import run_sync
from hi.simulator.zoneminder import ZoneMinderSimulator
from hi.simulator.zoneminder.server import BOUNDARY

from .conftest import configure

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _proxy_urls(settings) -> None:
    settings.ROOT_URLCONF = "hi.services.zoneminder.tests.urls"


@pytest_asyncio.fixture
async def browser(sim: ZoneMinderSimulator) -> AsyncIterator[AsyncClient]:
    await sync_to_async(configure)(sim)
    await sync_to_async(run_sync)("zoneminder")
    user = await sync_to_async(make_user)("viewer", password="pw-for-tests")
    client = AsyncClient()
    await client.aforce_login(user)
    yield client


def assert_no_secret(sim: ZoneMinderSimulator, *texts: str) -> None:
    tokens = list(sim.state.tokens)
    for text in texts:
        assert "token=" not in text and sim.password not in text
        assert not any(token in text for token in tokens)


async def test_snapshot_is_a_jpeg_from_zoneminder_fetched_with_a_server_side_token(sim, browser):
    response = await browser.get("/zoneminder/monitors/2/snapshot.jpg")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response.content.startswith(b"\xff\xd8")
    assert any("nph-zms" in path and "monitor=2" in path and "token=" in path for _, path in sim.request_log)
    assert_no_secret(sim, str(dict(response.headers)))


async def test_stream_relays_the_mjpeg_multipart_stream(sim, browser):
    response = await browser.get("/zoneminder/monitors/1/stream")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("multipart/x-mixed-replace")
    received = b""
    content = response.streaming_content
    async for chunk in content:
        received += chunk
        if received.count(f"--{BOUNDARY}".encode()) >= 2:
            break
    await content.aclose()
    assert b"Content-Type: image/jpeg" in received
    assert_no_secret(sim, str(dict(response.headers)), received.decode("latin-1"))


async def test_login_is_required(sim, browser):
    anonymous = AsyncClient()
    response = await anonymous.get("/zoneminder/monitors/1/snapshot.jpg")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not any("nph-zms" in path for _, path in sim.request_log)


async def test_unknown_camera_is_404_without_asking_zoneminder(sim, browser):
    response = await browser.get("/zoneminder/monitors/99/snapshot.jpg")
    assert response.status_code == 404
    assert not any("nph-zms" in path for _, path in sim.request_log)


async def test_a_revoked_token_is_renewed_and_zoneminder_down_is_a_clean_502(sim, browser):
    assert (await browser.get("/zoneminder/monitors/1/snapshot.jpg")).status_code == 200
    sim.state.revoke_tokens()  # nph-zms now answers 403 with an empty body
    assert (await browser.get("/zoneminder/monitors/1/snapshot.jpg")).status_code == 200
    await sim.stop()
    down = await browser.get("/zoneminder/monitors/1/snapshot.jpg")
    assert down.status_code == 502
    assert down["Content-Type"] == "image/jpeg" and down.content.startswith(b"\xff\xd8")  # the error picture
    assert_no_secret(sim, down.content.decode("latin-1"))
