"""Bad configuration stops the hub with one sentence naming the variable; valid values read as before."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from hi.settings.env import env_bool, env_choice, env_float, env_int, env_list, env_text


def test_unset_and_blank_values_give_the_default() -> None:
    assert env_int("HI_X", 8, environ={}) == 8
    assert env_int("HI_X", 8, environ={"HI_X": "  "}) == 8
    assert env_float("HI_X", 2.5, environ={"HI_X": ""}) == 2.5
    assert env_bool("HI_X", True, environ={}) is True
    assert env_text("HI_X", "a", environ={"HI_X": " "}) == "a"
    assert env_list("HI_X", "a,b", environ={}) == ["a", "b"]


def test_valid_values_are_read() -> None:
    assert env_int("HI_X", 8, environ={"HI_X": " 12 "}) == 12
    assert env_int("HI_X", 0, minimum=0, environ={"HI_X": "0"}) == 0
    assert env_float("HI_X", 1, environ={"HI_X": "0.25"}) == 0.25
    assert env_float("HI_X", 1, allow_zero=True, environ={"HI_X": "0"}) == 0
    assert [env_bool("HI_X", False, environ={"HI_X": w}) for w in ("1", "TRUE", "yes", "On")] == [True] * 4
    assert [env_bool("HI_X", True, environ={"HI_X": w}) for w in ("0", "false", "NO", "off")] == [False] * 4
    assert env_choice("HI_X", "INFO", ["DEBUG", "INFO"], environ={"HI_X": "debug"}) == "DEBUG"
    assert env_list("HI_X", "", environ={"HI_X": "a, ,b,"}) == ["a", "b"]


@pytest.mark.parametrize(("call", "raw", "expected"), [
    (lambda e: env_int("HI_X", 8, environ=e), "eight", "a whole number of 1 or more"),
    (lambda e: env_int("HI_X", 8, environ=e), "0", "a whole number of 1 or more"),
    (lambda e: env_int("HI_X", 8, environ=e), "-3", "a whole number of 1 or more"),
    (lambda e: env_int("HI_X", 8, environ=e), "2.5", "a whole number of 1 or more"),
    (lambda e: env_int("HI_X", 80, minimum=0, maximum=65535, environ=e), "70000", "from 0 to 65535"),
    (lambda e: env_float("HI_X", 30, environ=e), "soon", "a number more than 0"),
    (lambda e: env_float("HI_X", 30, environ=e), "0", "a number more than 0"),
    (lambda e: env_float("HI_X", 30, environ=e), "nan", "a number more than 0"),
    (lambda e: env_float("HI_X", 30, allow_zero=True, environ=e), "-1", "a number of 0 or more"),
    (lambda e: env_float("HI_X", 30, allow_zero=True, environ=e), "inf", "a number of 0 or more"),
    (lambda e: env_bool("HI_X", False, environ=e), "maybe", "1/true/yes/on or 0/false/no/off"),
    (lambda e: env_choice("HI_X", "INFO", ["DEBUG", "INFO"], environ=e), "loud", "one of DEBUG, INFO"),
])
def test_a_bad_value_is_refused_naming_the_variable_the_value_and_what_is_expected(call, raw, expected) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        call({"HI_X": raw})
    assert f"HI_X={raw!r}" in str(refused.value)
    assert expected in str(refused.value)


def _load_settings(monkeypatch: pytest.MonkeyPatch, **environ: str) -> dict:
    """``hi.settings.base`` executed afresh with ``environ`` (the running test settings stay untouched)."""
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("hi.settings.base_probe", Path(__file__).parent.parent / "base.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)  # not put in sys.modules: nothing else sees it
    spec.loader.exec_module(module)
    return vars(module)


@pytest.mark.parametrize(("name", "raw"), [
    ("HI_CAMERA_STREAMS_TOTAL", "eight"), ("HI_CAMERA_STREAMS_TOTAL", "0"), ("HI_CAMERA_STREAMS_PER_CAMERA", "-1"),
    ("HI_THUMBNAIL_CACHE_MB", "lots"), ("HI_THUMBNAIL_CACHE_MB", "0"), ("HI_THUMBNAIL_CACHE_DAYS", "-2"),
    ("HI_HTTP_READ_TIMEOUT", "0"), ("HI_HTTP_CONNECT_TIMEOUT", "fast"), ("HI_CONNECTION_TEST_TIMEOUT", "-1"),
    ("HI_MAX_BODY_BYTES", "1MB"), ("HI_MAX_UPLOAD_BYTES", "0"), ("HI_LOGIN_FAILURE_LIMIT", "five"),
    ("HI_LOGIN_LOCKOUT_MINUTES", "0"), ("HI_STREAM_RECHECK_SECONDS", "x"), ("HI_HSTS_SECONDS", "-5"),
    ("HI_HOMEBOX_ATTACHMENT_CACHE_MB", "-1"), ("HI_VACUUM_ON_MIGRATE_MAX_MB", "big"), ("HI_DEBUG", "maybe"),
    ("HI_BEHIND_TLS_PROXY", "proxy"), ("HI_LOG_LEVEL", "loud"), ("HI_TIME_ZONE", "Mars/Olympus_Mons"),
    ("HI_RETENTION_EVENTS_DAYS", "a year"), ("HI_BACKUP_KEEP", "-1"), ("HI_PRUNE_PAUSE", "nan"),
    ("HI_DATA_DIR", "/proc/hi-cannot-be-here"),
])
def test_settings_refuse_to_load_with_a_bad_value(monkeypatch: pytest.MonkeyPatch, name: str, raw: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=f"^{name}="):
        _load_settings(monkeypatch, **{name: raw})


def test_settings_read_valid_values_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = _load_settings(monkeypatch, HI_CAMERA_STREAMS_TOTAL="3", HI_CAMERA_STREAMS_PER_CAMERA="1",
                            HI_THUMBNAIL_CACHE_MB="0.5", HI_THUMBNAIL_CACHE_DAYS="7", HI_HTTP_READ_TIMEOUT="2.5",
                            HI_VACUUM_ON_MIGRATE_MAX_MB="0", HI_LOG_LEVEL="warning", HI_HSTS_SECONDS="0")
    assert (loaded["HI_CAMERA_STREAMS_TOTAL"], loaded["HI_CAMERA_STREAMS_PER_CAMERA"]) == (3, 1)
    assert (loaded["HI_THUMBNAIL_CACHE_MB"], loaded["HI_THUMBNAIL_CACHE_DAYS"]) == (0.5, 7)
    assert loaded["HI_HTTP_READ_TIMEOUT"] == 2.5
    assert loaded["HI_VACUUM_ON_MIGRATE_MAX_MB"] == 0
    assert loaded["LOG_LEVEL"] == "WARNING"


def test_defaults_when_nothing_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HI_CAMERA_STREAMS_TOTAL", "HI_CAMERA_STREAMS_PER_CAMERA", "HI_THUMBNAIL_CACHE_MB",
                 "HI_THUMBNAIL_CACHE_DAYS", "HI_HTTP_READ_TIMEOUT", "HI_HTTP_CONNECT_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    loaded = _load_settings(monkeypatch)
    assert (loaded["HI_CAMERA_STREAMS_TOTAL"], loaded["HI_CAMERA_STREAMS_PER_CAMERA"]) == (8, 2)
    assert (loaded["HI_THUMBNAIL_CACHE_MB"], loaded["HI_THUMBNAIL_CACHE_DAYS"]) == (256, 30)
    assert (loaded["HI_HTTP_READ_TIMEOUT"], loaded["HI_HTTP_CONNECT_TIMEOUT"]) == (30, 5)


def test_a_bad_database_url_is_refused_without_repeating_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    for url in ("postgress://hub:s3cret-pw@db:5432/hi", "postgres://hub:s3cret-pw@db:port/hi"):
        with pytest.raises(ImproperlyConfigured, match=r"^DATABASE_URL is not valid") as refused:
            _load_settings(monkeypatch, DATABASE_URL=url)
        assert "s3cret-pw" not in str(refused.value)


def test_a_bad_secrets_key_is_refused_without_repeating_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from cryptography.fernet import Fernet

    good = Fernet.generate_key().decode()
    assert _load_settings(monkeypatch, HI_SECRETS_KEY=f"{good}, {Fernet.generate_key().decode()}")
    with pytest.raises(ImproperlyConfigured, match=r"^HI_SECRETS_KEY is not valid") as refused:
        _load_settings(monkeypatch, HI_SECRETS_KEY=f"{good},hunter2-not-a-key")
    assert "hunter2" not in str(refused.value) and good not in str(refused.value)
