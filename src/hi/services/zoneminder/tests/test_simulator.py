"""The simulator speaks ZoneMinder 1.36 as clients meet it: string numbers, tokens, filters, paging, streams."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from hi.simulator.zoneminder import ZoneMinderSimulator
from hi.simulator.zoneminder.server import BOUNDARY, parse_filters


async def login(client: httpx.AsyncClient, sim: ZoneMinderSimulator) -> dict:
    response = await client.post(f"{sim.api_url}/host/login.json", data={"user": "admin", "pass": sim.password})
    assert response.status_code == 200
    return response.json()


async def test_login_gives_expiring_access_and_refresh_tokens(sim):
    async with httpx.AsyncClient() as client:
        body = await login(client, sim)
        assert body["access_token_expires"] == 7200 and body["refresh_token_expires"] == 86400
        assert body["version"] == "1.36.33"
        refreshed = await client.post(f"{sim.api_url}/host/login.json", data={"token": body["refresh_token"]})
        assert "access_token" in refreshed.json() and "refresh_token" not in refreshed.json()
        # a refresh token is not an access token
        denied = await client.get(f"{sim.api_url}/monitors.json", params={"token": body["refresh_token"]})
        assert denied.status_code == 401


async def test_every_api_call_needs_the_token_and_says_why_in_cakephp_shape(sim):
    async with httpx.AsyncClient() as client:
        missing = await client.get(f"{sim.api_url}/host/getVersion.json")
        assert missing.status_code == 401
        assert missing.json()["data"]["exception"] == {"class": "UnauthorizedException", "code": 401,
                                                       "message": "Not Authenticated"}
        token = (await login(client, sim))["access_token"]
        assert (await client.get(f"{sim.api_url}/host/getVersion.json", params={"token": token})).json() == \
            {"version": "1.36.33", "apiversion": "2.0"}
        sim.state.advance_time(7201)
        expired = await client.get(f"{sim.api_url}/monitors.json", params={"token": token})
        assert expired.status_code == 401 and expired.json()["data"]["name"] == "Expired token"
        wrong = await client.post(f"{sim.api_url}/host/login.json", data={"user": "admin", "pass": "nope"})
        assert wrong.status_code == 401


async def test_numbers_arrive_as_strings(sim):
    async with httpx.AsyncClient() as client:
        token = (await login(client, sim))["access_token"]
        monitor = (await client.get(f"{sim.api_url}/monitors.json", params={"token": token})).json()["monitors"][0]
        assert monitor["Monitor"]["Id"] == "1" and monitor["Monitor"]["Enabled"] == "1"
        assert monitor["Monitor_Status"]["Status"] == "Connected"


def test_filter_paths_parse_field_operator_and_value():
    assert parse_filters("MonitorId:3/StartDateTime >=:2026-01-01 00:00:00.json") == [
        ("MonitorId", "=", "3"), ("StartDateTime", ">=", "2026-01-01 00:00:00")]
    with pytest.raises(ValueError):
        parse_filters("Id;drop >:1.json")


async def test_events_filter_paginate_and_show_local_time(sim):
    start = dt.datetime(2026, 7, 1, 17, 0, 0, tzinfo=dt.UTC)  # 12:00 in Chicago (CDT)
    for n in range(5):
        sim.state.add_event(1 + n % 2, start + dt.timedelta(minutes=n), start + dt.timedelta(minutes=n, seconds=3))
    open_id = sim.state.start_event(2)
    async with httpx.AsyncClient() as client:
        token = (await login(client, sim))["access_token"]
        url = f"{sim.api_url}/events/index/MonitorId:1/StartDateTime%20%3E%3D:2026-07-01%2012:01:00.json"
        body = (await client.get(url, params={"token": token, "sort": "Id", "direction": "asc"})).json()
        assert [e["Event"]["Id"] for e in body["events"]] == ["3", "5"]
        assert body["events"][0]["Event"]["StartDateTime"] == "2026-07-01 12:02:00"
        paged = (await client.get(f"{sim.api_url}/events/index/Id%20%3E:1.json",
                                  params={"token": token, "limit": 2, "page": 2, "sort": "Id"})).json()
        assert [e["Event"]["Id"] for e in paged["events"]] == ["4", "5"]
        assert paged["pagination"]["pageCount"] == 3 and paged["pagination"]["nextPage"] is True
        single = (await client.get(f"{sim.api_url}/events/{open_id}.json", params={"token": token})).json()
        assert single["event"]["Event"]["EndDateTime"] is None


async def test_forced_alarm_opens_and_closes_an_event(sim):
    async with httpx.AsyncClient() as client:
        token = (await login(client, sim))["access_token"]
        on = await client.get(f"{sim.api_url}/monitors/alarm/id:2/command:on.json", params={"token": token})
        assert on.json()["status"] == f"Alarmed event id: {sim.state.open_by_monitor[2]}"
        status = await client.get(f"{sim.api_url}/monitors/alarm/id:2/command:status.json", params={"token": token})
        assert status.json()["status"] == "2"
        await client.get(f"{sim.api_url}/monitors/alarm/id:2/command:off.json", params={"token": token})
        assert sim.state.events[-1].end is not None and sim.state.events[-1].cause == "Forced Web"


async def test_function_edit_and_run_state_change(sim):
    async with httpx.AsyncClient() as client:
        token = (await login(client, sim))["access_token"]
        saved = await client.post(f"{sim.api_url}/monitors/4.json", params={"token": token},
                                  data={"Monitor[Function]": "Nodect"})
        assert saved.json() == {"message": "Saved"} and sim.state.monitors[4].function == "Nodect"
        bad = await client.post(f"{sim.api_url}/monitors/4.json", params={"token": token},
                                data={"Monitor[Function]": "Party"})
        assert bad.status_code == 400 and sim.state.monitors[4].function == "Nodect"
        await client.post(f"{sim.api_url}/states/change/stop.json", params={"token": token})
        check = await client.get(f"{sim.api_url}/host/daemonCheck.json", params={"token": token})
        assert check.json() == {"result": 0}


async def test_nph_zms_serves_jpeg_and_mjpeg_and_refuses_bad_auth_with_empty_403(sim):
    async with httpx.AsyncClient() as client:
        token = (await login(client, sim))["access_token"]
        zms = f"{sim.portal_url}/cgi-bin/nph-zms"
        refused = await client.get(zms, params={"mode": "single", "monitor": 1, "token": "stale"})
        assert refused.status_code == 403 and refused.content == b""
        single = await client.get(zms, params={"mode": "single", "monitor": 1, "token": token})
        assert single.headers["content-type"] == "image/jpeg"
        assert single.content.startswith(b"\xff\xd8") and single.content.endswith(b"\xff\xd9")
        async with client.stream("GET", zms, params={"mode": "jpeg", "monitor": 1, "maxfps": 30,
                                                     "token": token}) as stream:
            assert stream.headers["content-type"].startswith("multipart/x-mixed-replace")
            received = b""
            async for chunk in stream.aiter_bytes():
                received += chunk
                if received.count(f"--{BOUNDARY}".encode()) >= 3:
                    break
        assert received.count(b"Content-Type: image/jpeg") >= 2
