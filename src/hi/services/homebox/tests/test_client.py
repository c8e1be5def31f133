"""The client against the simulator: generation choice, login, token reuse and renewal, refusals, rate limits."""

from __future__ import annotations

import pytest

from hi.integrations.exceptions import AuthenticationError, RateLimitedError, RequestError
from hi.services.homebox.client import HomeBoxClient, session_for
from hi.services.homebox.client.api import generation_for, parse_version
from hi.simulator.homebox import API_KEY, HomeBoxSimulator

from .conftest import FAST_RETRY, settings_for


@pytest.mark.parametrize(("version", "generation", "tag_word"), [
    ("v0.10.3", "items", "labels"), ("v0.21.0", "items", "labels"), ("v0.23.1", "items", "tags"),
    ("0.25.0", "items", "tags"), ("v0.26.0-rc.1", "entities", "tags"), ("v0.26.2", "entities", "tags"),
    ("nightly", "entities", "tags"), ("", "entities", "tags")])
def test_the_generation_follows_the_build_version(version, generation, tag_word):
    assert generation_for(version).name == generation
    assert generation_for(version).tag_word == tag_word


def test_parse_version():
    assert parse_version("v0.26.1") == (0, 26, 1)
    assert parse_version("dev") is None


@pytest.mark.parametrize("version", ["v0.10.3", "v0.23.0", "v0.26.2"])
def test_items_are_read_in_every_generation(version):
    sim = HomeBoxSimulator("demo", version=version)
    with sim.running_in_thread(), HomeBoxClient(settings_for(sim), retry=FAST_RETRY) as client:
        items = client.items(page_size=3)  # three pages of at most 3
        assert sorted(i.name for i in items) == sorted(i.name for i in sim.state.items.values())
        detail = client.item(items[0].id)
        assert detail.location_name and detail.tags and detail.attachments
        assert sim.api.requests[f"GET /api/v1/{'entities' if version == 'v0.26.2' else 'items'}"] == 3


@pytest.mark.parametrize("profile", ["demo", "legacy"])
def test_a_wrong_password_is_a_clear_refusal_in_both_lineages(profile):
    sim = HomeBoxSimulator(profile)
    with sim.running_in_thread(), HomeBoxClient(settings_for(sim, password="not-the-password-17"), retry=FAST_RETRY) as client:
        client.status()
        with pytest.raises(AuthenticationError, match="refused the user name or password"):
            client.items()
        # old HomeBox answers 500, new 401: either way one attempt, and the guard stops the next one locally
        assert sim.state.failed_logins == 1
        with pytest.raises(AuthenticationError, match="not trying them again"):
            client.items()
        assert sim.state.failed_logins == 1
        assert client.session.snapshot()["last_login"] == "refused"


def test_a_rate_limited_login_waits_out_retry_after_and_does_not_lock_the_account():
    sim = HomeBoxSimulator("demo")
    with sim.running_in_thread():
        # someone else (the same address) already failed five times: HomeBox now answers 429
        for _ in range(6):
            sim.state.record_login("127.0.0.1|/api/v1/users/login", success=False)
        with HomeBoxClient(settings_for(sim), retry=FAST_RETRY) as client:
            with pytest.raises(RateLimitedError) as caught:
                client.items()
            assert caught.value.retry_after == pytest.approx(10, abs=1)
            assert sim.state.rate_limited == 1 and sim.state.failed_logins == 0
            with pytest.raises(RateLimitedError):  # told locally, no request sent during the block
                client.items()
            assert sim.state.rate_limited == 1
            assert client.session.snapshot()["login_blocked_until"] is not None
            sim.state.advance(11)
            client.session.guard.blocked_until = client.session.clock.monotonic()  # our clock moved too
            assert client.items()
            assert sim.state.logins == 1 and sim.state.auth_attempts == {}


def test_the_token_is_reused_by_later_clients_and_renewed_before_it_expires():
    sim = HomeBoxSimulator("demo", token_lifetime=3600)
    with sim.running_in_thread():
        settings = settings_for(sim)
        with HomeBoxClient(settings) as client:
            client.items()
        with HomeBoxClient(settings) as client:
            client.items()
        assert sim.state.logins == 1
        session = session_for(settings)
        assert session.snapshot()["logged_in"] and session.snapshot()["token_expires_at"]
        # three quarters of the lifetime later the client renews with /users/refresh instead of logging in
        session.auth.token.expires_at -= 2800
        session.auth.token.refresh_expires_at -= 2800
        with HomeBoxClient(settings) as client:
            client.items()
        assert sim.state.refreshes == 1 and sim.state.logins == 1


def test_a_revoked_token_is_replaced_by_one_new_login():
    sim = HomeBoxSimulator("legacy")
    with sim.running_in_thread(), HomeBoxClient(settings_for(sim), retry=FAST_RETRY) as client:
        client.items()
        with sim.state.lock:
            sim.state.tokens.clear()  # HomeBox restarted with a fresh database of sessions
        assert client.items()
        assert sim.state.logins == 2


def test_an_api_key_needs_no_login_and_a_bad_one_is_refused():
    sim = HomeBoxSimulator("demo")
    with sim.running_in_thread():
        with HomeBoxClient(settings_for(sim, username="", password="", api_key=API_KEY)) as client:
            assert client.items()
        assert sim.state.logins == 0
        with (HomeBoxClient(settings_for(sim, username="", password="", api_key="hb_wrong"), retry=FAST_RETRY)
              as client, pytest.raises(AuthenticationError, match="API key")):
            client.items()


def test_the_tenant_header_selects_another_collection():
    sim = HomeBoxSimulator("demo")
    other = sim.state.add_group("Cabin", "EUR")
    sim.state.membership[sim.username].append(other)
    sim.state.add_item("Canoe", group_id=other)
    with sim.running_in_thread(), HomeBoxClient(settings_for(sim, tenant=other)) as client:
        assert [i.name for i in client.items()] == ["Canoe"]
        assert client.group().currency == "EUR"


def test_a_link_attachment_redirect_is_never_followed():
    sim = HomeBoxSimulator("demo")
    drill = next(i for i in sim.state.items.values() if i.name == "Cordless drill")
    link = next(a for a in drill.attachments if a.link_url)
    with sim.running_in_thread(), HomeBoxClient(settings_for(sim)) as client, \
            pytest.raises(RequestError, match="never fetched"):
        client.attachment(drill.id, link.id)
