"""The simulator's own faithfulness: generation-specific routes and fields, login rules, paging, tenants."""

from __future__ import annotations

import httpx
import pytest

from hi.simulator.homebox import API_KEY, PASSWORD, USERNAME, HomeBoxSimulator


def login(client: httpx.Client, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/users/login", json={"username": USERNAME, "password": password,
                                                    "stayLoggedIn": True})


@pytest.mark.parametrize(("version", "present", "absent", "tag_word"), [
    ("v0.10.3", "items", "entities", "labels"), ("v0.23.0", "items", "entities", "tags"),
    ("v0.26.2", "entities", "items", "tags")])
def test_each_generation_serves_its_own_routes_and_field_names(version, present, absent, tag_word):
    sim = HomeBoxSimulator("demo", version=version)
    with sim.running_in_thread(), httpx.Client(base_url=sim.url) as client:
        assert client.get("/api/v1/status").json()["build"]["version"] == version
        token = login(client).json()["token"]
        assert token.startswith("Bearer ")
        headers = {"Authorization": token}
        page = client.get(f"/api/v1/{present}", params={"page": 1, "pageSize": 2}, headers=headers).json()
        assert page["total"] == 8 and len(page["items"]) == 2 and tag_word in page["items"][0]
        assert ("parent" if present == "entities" else "location") in page["items"][0]
        assert client.get(f"/api/v1/{absent}", headers=headers).status_code == 404
        everything = client.get(f"/api/v1/{present}", headers=headers).json()  # no paging: all of them
        assert len(everything["items"]) == 8


def test_login_wants_json_and_a_wrong_password_is_500_before_v0_22_and_401_after():
    for version, status in (("v0.10.3", 500), ("v0.21.0", 500), ("v0.22.1", 401), ("v0.26.2", 401)):
        sim = HomeBoxSimulator("demo", version=version)
        with sim.running_in_thread(), httpx.Client(base_url=sim.url) as client:
            assert login(client, "wrong").status_code == status
            form = client.post("/api/v1/users/login", data={"username": USERNAME, "password": PASSWORD})
            assert form.status_code == 400


def test_failed_logins_past_five_a_minute_are_answered_429_with_retry_after_from_v0_23():
    sim = HomeBoxSimulator("demo", version="v0.23.0")
    with sim.running_in_thread(), httpx.Client(base_url=sim.url) as client:
        codes = [login(client, "wrong").status_code for _ in range(7)]
        assert codes == [401] * 6 + [429]
        blocked = login(client)  # even the right password waits out the block
        assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
        sim.state.advance(61)
        assert login(client).status_code == 200
    old = HomeBoxSimulator("legacy")
    with old.running_in_thread(), httpx.Client(base_url=old.url) as client:
        assert {login(client, "wrong").status_code for _ in range(8)} == {500}


def test_api_keys_and_tenants_only_in_the_releases_that_have_them():
    new, old = HomeBoxSimulator("demo"), HomeBoxSimulator("legacy")
    with new.running_in_thread(), old.running_in_thread():
        key = {"Authorization": f"Bearer {API_KEY}"}
        assert httpx.get(f"{new.url}/api/v1/groups", headers=key).status_code == 200
        assert httpx.get(f"{old.url}/api/v1/groups", headers=key).status_code == 401
        stranger = new.state.add_group("Neighbours")
        assert httpx.get(f"{new.url}/api/v1/groups", headers={**key, "X-Tenant": stranger}).status_code == 403


def test_a_link_attachment_answers_302_and_a_file_its_bytes():
    sim = HomeBoxSimulator("demo")
    drill = next(i for i in sim.state.items.values() if i.name == "Cordless drill")
    link = next(a for a in drill.attachments if a.link_url)
    with sim.running_in_thread(), httpx.Client(base_url=sim.url) as client:
        headers = {"Authorization": login(client).json()["token"]}
        answer = client.get(f"/api/v1/entities/{drill.id}/attachments/{link.id}", headers=headers)
        assert answer.status_code == 302 and answer.headers["Location"] == link.link_url
        manual = next(a for a in drill.attachments if a.type == "manual")
        assert client.get(f"/api/v1/entities/{drill.id}/attachments/{manual.id}", headers=headers).content
