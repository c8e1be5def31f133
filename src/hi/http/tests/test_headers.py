"""Content-Security-Policy and Permissions-Policy on every page; no template carries inline script (finding 10)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

SRC = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
EVAL_ATTRIBUTE = re.compile(r"hx-(vals|vars|on)[^=]*=\s*[\"']\s*js:|\bhx-on[:-]", re.I)


@pytest.mark.parametrize("path", ["/", "/events/", "/settings/", "/places/", "/alerts/", "/rules/", "/channels/",
                                  "/integrations/", "/cameras/", "/login/", "/api/v1/healthz"])
def test_every_answer_has_a_strict_policy(db, path):
    user = get_user_model().objects.create_superuser("root", password="correct horse battery")
    client = Client()
    client.force_login(user)
    answer = client.get(path)
    policy = answer.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"].startswith("'self'")
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in directives["script-src"]
    assert directives["object-src"] == "'none'" and directives["default-src"] == "'self'"
    assert "camera=()" in answer.headers["Permissions-Policy"]


def test_each_answer_gets_its_own_nonce(db):
    first = Client().get("/login/").headers["Content-Security-Policy"]
    second = Client().get("/login/").headers["Content-Security-Policy"]
    assert first != second


def _templates() -> list[Path]:
    return sorted(p for p in SRC.rglob("templates/**/*.html") if ".venv" not in p.parts)


def test_no_template_has_inline_script_or_handlers():
    offenders = []
    for template in _templates():
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, EVAL_ATTRIBUTE):
            offenders += [f"{template.relative_to(SRC)}: {m.group(0)[:60]}" for m in pattern.finditer(text)]
    assert offenders == [], "move these into a static file (docs/security.md):\n" + "\n".join(offenders)
    assert len(_templates()) > 30  # the scan really looked at the templates


def test_behind_a_tls_proxy_cookies_are_secure_and_the_forwarded_scheme_is_trusted(tmp_path):
    script = ("import django, json; from django.conf import settings; django.setup(); "
              "print(json.dumps([settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
              "list(settings.SECURE_PROXY_SSL_HEADER or []), settings.SECURE_HSTS_SECONDS]))")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
        "DJANGO_SETTINGS_MODULE": "hi.settings.prod", "HI_DATA_DIR": str(tmp_path)}
    plain = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert json.loads(plain.stdout) == [False, False, [], 0]
    proxied = subprocess.run([sys.executable, "-c", script], env=env | {"HI_BEHIND_TLS_PROXY": "1",
                             "HI_HSTS_SECONDS": "3600"}, capture_output=True, text=True, check=True)
    assert json.loads(proxied.stdout) == [True, True, ["HTTP_X_FORWARDED_PROTO", "https"], 3600]
