"""Newcomer paths: a favicon on every page, API docs that work offline, linked from the UI."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_favicon_is_served_without_signing_in():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("web/favicon.svg")


def test_pages_declare_the_icon(client_in):
    assert 'rel="icon"' in client_in.get("/").content.decode()


def test_api_docs_load_swagger_from_the_hub_itself(client_in):
    page = client_in.get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui-bundle.js" in s for s in sources)
    assert all(s.startswith("/") for s in sources), sources  # nothing from a CDN: works with no internet


def test_the_ui_links_the_api_docs(client_in):
    assert 'href="/api/v1/docs"' in client_in.get("/settings/").content.decode()
