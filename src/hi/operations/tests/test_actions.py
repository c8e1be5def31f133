"""The operations layer: one rule, the same answer on every face (web, API, CLI)."""

from __future__ import annotations

import pytest
from django.test import Client

from hi.apps.access.testing import make_user, token_owner
from hi.apps.api.models import ApiToken
from hi.cli.main import main as cli
from hi.integrations.exceptions import ConfigurationError
from hi.integrations.testing.gateway import TOY
from hi.operations import actions
from hi.operations.queries import BadInput, NotFound

NOT_CONFIGURED = f"{TOY} is not configured yet; configure it first"


@pytest.fixture
def faces(db, toy_gateway):
    """A logged-in browser session and an API client with a token."""
    web = Client()
    web.force_login(make_user("ops", password="x"))
    api = Client()
    api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue('ops', user=token_owner())[1]}"
    return web, api


def test_a_lifecycle_rule_is_written_once_and_every_face_says_it(faces, capsys):
    web, api = faces
    with pytest.raises(ConfigurationError, match=NOT_CONFIGURED):
        actions.lifecycle_action(TOY, "enable")
    page = web.post(f"/integrations/{TOY}/lifecycle/enable", follow=True)
    assert NOT_CONFIGURED in page.content.decode()
    answer = api.post(f"/api/v1/integrations/{TOY}/enable")
    assert answer.status_code == 400 and NOT_CONFIGURED in answer.json()["detail"]
    assert cli(["integrations", "enable", TOY]) == 1
    assert NOT_CONFIGURED in capsys.readouterr().err


def test_unknown_ids_and_bad_requests_are_refused_before_anything_happens(db, toy_gateway):
    with pytest.raises(NotFound, match="unknown integration 'nope'"):
        actions.sync("nope")
    with pytest.raises(BadInput, match="unknown action"):
        actions.lifecycle_action(TOY, "explode")
    with pytest.raises(BadInput, match="mode must be one of"):
        actions.disable_preview(TOY, "everything")


def test_results_are_typed_with_json_for_the_faces_that_need_it(toy_integration):
    outcome = actions.lifecycle_action(TOY, "pause")
    assert outcome.message and outcome.integration["status"] == "paused"
    assert outcome.as_dict() == {"result": dict(outcome.result), "integration": outcome.integration}
    report = actions.sync(TOY, dry_run=True)
    assert report.dry_run and report.changed_nothing
    assert report.to_dict()["counts"] == report.counts
