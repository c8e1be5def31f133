"""The gateway declares a camera's picture and stream paths, so pages never read ZoneMinder's payload."""

from __future__ import annotations

from types import SimpleNamespace

from hi.integrations.integration_gateway import MediaUrls
from hi.services.zoneminder.integration import ZoneMinderGateway


def test_a_camera_gets_the_proxy_paths_from_its_payload_or_its_key():
    gateway = ZoneMinderGateway()
    by_payload = SimpleNamespace(integration_id="zoneminder", integration_name="monitor.7",
                                 integration_payload={"monitor_id": 3})
    assert gateway.media_urls(by_payload) == MediaUrls("/zoneminder/monitors/3/snapshot.jpg",
                                                       "/zoneminder/monitors/3/stream")
    by_key = SimpleNamespace(integration_id="zoneminder", integration_name="monitor.7", integration_payload={})
    assert gateway.media_urls(by_key).stream == "/zoneminder/monitors/7/stream"
    not_a_camera = SimpleNamespace(integration_id="zoneminder", integration_name="run_state", integration_payload={})
    assert gateway.media_urls(not_a_camera) == MediaUrls()
