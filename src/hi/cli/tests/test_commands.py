"""The ``hi`` commands in-process: exit statuses, one-line errors, and the stable JSON shapes."""

from __future__ import annotations

import json

import pytest

from hi.apps.api.models import ApiToken
from hi.apps.api.tests.factories import LAMPS_ID, make_light
from hi.apps.control.models import ControllerHistory
from hi.apps.entity.models import Entity
from hi.integrations.models import Integration

pytestmark = pytest.mark.django_db

GOOD = ["base_url=http://127.0.0.1:9", "api_token=sekrit-token-123", "lamps=2"]


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_the_whole_lifecycle_from_the_command_line(hi, lamp_gateway):
    status, out, _ = hi("integrations", "configure", LAMPS_ID, *GOOD)
    assert status == 0 and "configured" in out and "sekrit" not in out
    assert hi("integrations", "enable", LAMPS_ID)[0] == 0

    status, out, _ = hi("sync", LAMPS_ID, "--dry-run", "--json")
    assert status == 0 and json.loads(out)["counts"]["create"] == 2
    assert not Entity.objects.exists()
    status, out, _ = hi("sync", LAMPS_ID)
    assert status == 0 and "create 2" in out and "Lamp 0" in out

    status, out, _ = hi("entities", "list", "--integration", LAMPS_ID, "--json")
    entities = json.loads(out)
    assert [e["integration_key"] for e in entities] == ["test_lamps:lamp.0", "test_lamps:lamp.1"]
    assert set(entities[0]) == {"id", "name", "entity_type", "integration_key", "location", "states"}

    status, out, _ = hi("entities", "show", "test_lamps:lamp.1")
    assert status == 0 and "Lamp 1" in out and "test_lamps:lamp.1.power" in out

    assert "paused" in hi("integrations", "pause", LAMPS_ID)[1]
    assert "active" in hi("integrations", "resume", LAMPS_ID)[1]
    status, out, _ = hi("integrations", "disable", LAMPS_ID, "--mode", "all", "--json")
    assert status == 0 and json.loads(out)["integration"]["status"] == "disabled"
    assert not Entity.objects.exists()


@pytest.mark.parametrize(("argv", "expected"), [
    (["integrations", "configure", LAMPS_ID, "base_url"], "expected KEY=VALUE, got 'base_url'"),
    (["integrations", "configure", "nope", "a=b"], "unknown integration 'nope'"),
    (["integrations", "configure", LAMPS_ID, "base_url=ftp://x", "api_token=t"], "invalid settings: base_url:"),
    (["integrations", "configure", LAMPS_ID, "base_url=http://unreachable.invalid", "api_token=t"],
     "nothing answers at that address"),
    (["integrations", "enable", LAMPS_ID], "configure it first"),
])
def test_bad_configuration_is_one_clear_line_and_saves_nothing(hi, lamp_gateway, argv, expected):
    status, _, err = hi(*argv)
    assert status == 1
    assert expected in one_line_error(err)
    assert not Integration.objects.filter(integration_id=LAMPS_ID).exists()


def test_entities_show_by_id_in_the_stable_json_shape(hi):
    light = make_light(value="on")
    status, out, _ = hi("entities", "show", str(light.entity.id), "--json")
    entity = json.loads(out)
    assert status == 0
    assert entity["states"][0]["value"] == "on"
    assert set(entity["states"][0]) == {"id", "name", "state_type", "value", "units", "updated_at", "available",
                                        "stale", "unavailable_reason", "sensors", "controllers"}
    assert entity["states"][0]["controllers"] == [{"id": light.controller.id,
                                                   "integration_key": "test_switch:light.kitchen"}]


@pytest.mark.parametrize(("argv", "expected"), [
    (["entities", "show", "hass:light.nowhere"], "no entity 'hass:light.nowhere'"),
    (["entities", "show", "garbage"], "neither an entity id nor an integration key"),
    (["events", "list", "--since", "last week"], "not an ISO 8601 date"),
    (["entities", "list", "--integration", "nope"], "unknown integration 'nope'"),
])
def test_bad_lookups_are_one_clear_line(hi, argv, expected):
    status, out, err = hi(*argv)
    assert status == 1 and out == ""
    assert expected in one_line_error(err)


def test_control_sends_and_reports(hi, switch_gateway):
    make_light()
    status, out, _ = hi("control", "test_switch:light.kitchen", "on", "--json")
    assert status == 0
    history = json.loads(out)
    assert history["outcome"] == "sent" and history["requested_by"] == "cli"
    assert switch_gateway.controller.requests == [("test_switch:light.kitchen", "on")]


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("test_switch:light.kitchen", "maybe", "accepts off or on"),
    ("test_switch:light.nowhere", "on", "no controller"),
])
def test_bad_control_is_refused_and_records_nothing(hi, switch_gateway, key, value, expected):
    make_light()
    status, _, err = hi("control", key, value)
    assert status == 1
    assert expected in one_line_error(err)
    assert not ControllerHistory.objects.exists()


def test_events_list_json_shape(hi):
    import datetime as dt

    from hi.apps.api.tests.factories import make_event

    light = make_light()
    make_event(light, dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    status, out, _ = hi("events", "list", "--entity", "test_switch:light.kitchen", "--since", "2026-04-30", "--json")
    events = json.loads(out)
    assert status == 0 and len(events) == 1
    assert set(events[0]) == {"id", "entity_id", "state_id", "value", "start", "end", "duration_seconds", "details",
                              "media"}
    assert events[0]["duration_seconds"] == 30.0


def test_health_and_tokens(hi):
    status, out, _ = hi("health", "--json")
    assert status == 0 and set(json.loads(out)) == {"integrations", "worker"}
    assert hi("users", "add", "ops", "--role", "admin")[0] == 0  # tokens belong to someone: the first admin
    status, out, _ = hi("tokens", "create", "backup", "--json")
    created = json.loads(out)
    assert status == 0 and created["name"] == "backup" and created["token"].startswith("hi_")
    assert ApiToken.authenticate(created["token"]) is not None
    status, _, err = hi("tokens", "create", "backup")
    assert status == 1 and "already has a token named 'backup'" in one_line_error(err)


def test_usage_errors_are_one_line_with_status_2(hi):
    status, _, err = hi("integrations", "disable", "hass", "--mode", "sometimes")
    assert status == 2
    assert "invalid choice: 'sometimes'" in one_line_error(err)
    status, _, err = hi("frobnicate")
    assert status == 2 and one_line_error(err)


@pytest.mark.parametrize("argv", [("entities", "list"), ("events", "list")])
def test_listings_cost_the_same_queries_for_few_or_many_rows(hi, argv):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hi.apps.api.tests.factories import make_event

    def queries_with(lights: int, first: int) -> int:
        for number in range(first, first + lights):
            make_event(make_light(f"Light {number:02}", f"light.n{number}"), dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
        with CaptureQueriesContext(connection) as captured:
            status, out, _ = hi(*argv)
        assert status == 0 and f"Light {first + lights - 1:02}" in out
        return len(captured.captured_queries)

    assert queries_with(2, 0) == queries_with(20, 2)


def test_places_from_the_command_line(hi):
    assert hi("places", "add", "Home")[0] == 0
    status, out, _ = hi("places", "add", "Ground floor", "--parent", "home", "--json")
    assert status == 0 and json.loads(out)["path"] == "Home / Ground floor"
    assert "Home / Ground floor / Kitchen" in hi("places", "add", "Kitchen", "--parent", "Ground floor")[1]
    status, _, err = hi("places", "add", "kitchen", "--parent", "Ground floor")
    assert status == 1 and one_line_error(err) == "hi: 'Home / Ground floor / Kitchen' already exists"

    status, out, _ = hi("entities", "create", "Fuse box", "--type", "appliance", "--room", "kitchen", "--json")
    fuse = json.loads(out)
    assert status == 0 and fuse["location"]["path"] == "Home / Ground floor / Kitchen"
    assert fuse["integration_key"] is None

    status, out, _ = hi("places", "assign", str(fuse["id"]), "Home / Ground floor", "--json")
    assert status == 0 and json.loads(out)["location"]["name"] == "Ground floor"
    status, out, _ = hi("places", "list")
    assert status == 0 and "Ground floor" in out and "Kitchen" in out
    rows = json.loads(hi("places", "list", "--json")[1])
    assert [(r["path"], r["entity_count"]) for r in rows] == [
        ("Home", 0), ("Home / Ground floor", 1), ("Home / Ground floor / Kitchen", 0)]
    status, _, err = hi("places", "assign", str(fuse["id"]), "Attic")
    assert status == 1 and "no place called 'Attic'" in one_line_error(err)
    status, _, err = hi("entities", "create", "X", "--type", "spaceship")
    assert status == 1 and "type must be one of" in one_line_error(err)


def test_tables_never_print_terminal_escape_sequences(hi):
    # security audit finding 8: a name with \e]0;…\a\e[31m… retitled the terminal and recoloured the table
    Entity.objects.create(name="\x1b]0;owned\x07\x1b[31mEvil lamp\x1b[0m", entity_type="light")
    status, out, _ = hi("entities", "list")
    assert status == 0 and "Evil lamp" in out
    assert "\x1b" not in out and "\x07" not in out


def test_run_with_a_bad_hi_port_is_a_usage_error_naming_it(hi, monkeypatch):
    monkeypatch.setenv("HI_PORT", "eighty")
    status, out, err = hi("run")
    assert status == 2 and out == ""
    assert "HI_PORT='eighty'" in err and "0 to 65535" in err and "Traceback" not in err


def test_run_with_an_out_of_range_hi_port_is_refused_but_an_explicit_port_wins(hi, monkeypatch):
    from hi.cli.main import _listen_defaults, build_parser

    monkeypatch.setenv("HI_PORT", "70000")
    status, _out, err = hi("run")
    assert status == 2 and "HI_PORT='70000'" in err
    parser = build_parser()
    args = parser.parse_args(["run", "--port", "8123"])
    _listen_defaults(parser, args)
    assert (args.host, args.port) == ("127.0.0.1", 8123)
    monkeypatch.setenv("HI_PORT", "9001")
    monkeypatch.setenv("HI_HOST", "0.0.0.0")
    args = parser.parse_args(["run"])
    _listen_defaults(parser, args)
    assert (args.host, args.port) == ("0.0.0.0", 9001)
