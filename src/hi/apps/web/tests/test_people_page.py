"""The People page (``/people/``): admins list, add (typed or made-up password, shown once), change roles, disable
and enable, set passwords and lift lockouts; every refusal is a 400 with the reason and changes nothing; members,
viewers and anonymous callers get what the access map gives any admin page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hi.apps.access.models import ApiToken
from hi.apps.access.principal import role_of
from hi.apps.access.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW = "a long enough passphrase"


@pytest.fixture
def admin() -> Client:
    client = Client()
    client.force_login(make_user("root", role="admin"))
    return client


def signed_in(name: str, role: str = "member") -> Client:
    client = Client()
    client.force_login(make_user(name, role=role))
    return client


def person(name: str) -> object:
    return User.objects.get(username=name)


def wrong_passwords(name: str) -> None:
    """Real failed sign-ins through /login/ (django-axes counts them), up to the lockout."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR=f"198.51.100.{n + 1}").post("/login/", {"username": name, "password": "wrong"})


def test_the_list_shows_role_status_last_sign_in_in_local_time_tokens_and_lockouts(admin, monkeypatch):
    monkeypatch.setenv("HI_TIME_ZONE", "America/Chicago")
    bob = make_user("bob", role="viewer", is_active=False)
    User.objects.filter(pk=bob.pk).update(last_login=dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC))
    ApiToken.issue("one", user=bob)
    ApiToken.issue("two", user=bob)
    make_user("carol", role="member")
    wrong_passwords("carol")
    answer = admin.get(reverse("people"))
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    html = answer.content.decode()
    row = re.search(r'<tr id="person-\d+" data-person="bob">.*?</tr>', html, re.S).group(0)
    assert ">viewer<" in row and "disabled" in row
    assert "2026-07-01 07:00" in row  # 12:00 UTC is 07:00 in Chicago (summer time)
    assert 'data-field="tokens">2<' in row
    carol = re.search(r'data-person="carol">.*?</tr>', html, re.S).group(0)
    assert "too many wrong passwords" in carol and "Unlock" in carol
    assert re.search(r'data-field="last-login"[^>]*>never<', carol)
    assert "too many wrong passwords" not in row and "Unlock" not in row


def test_the_settings_page_links_to_people_for_admins_only(admin):
    assert 'href="/people/"' in admin.get(reverse("settings")).content.decode()
    assert 'href="/people/"' not in signed_in("mia").get(reverse("settings")).content.decode()


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_members_and_viewers_get_what_other_admin_pages_answer(role):
    client = signed_in("pat", role=role)
    webhooks = client.get(reverse("webhooks"))
    target = person("pat").pk
    for method, url in [("get", "/people/"), ("post", "/people/"), ("post", f"/people/{target}/role"),
                        ("post", f"/people/{target}/disable"), ("post", f"/people/{target}/enable"),
                        ("post", f"/people/{target}/password"), ("post", f"/people/{target}/unlock")]:
        answer = getattr(client, method)(url, {"role": "admin", "username": "x", "password": NEW,
                                               "password_confirm": NEW})
        assert answer.status_code == webhooks.status_code == 403, url
        assert "the admin role" in answer.content.decode()
    assert role_of(person("pat")) == role and User.objects.count() == 1


def test_anonymous_callers_are_sent_to_sign_in():
    answer = Client().post("/people/", {"username": "eve", "role": "admin"})
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")
    assert not User.objects.filter(username="eve").exists()


def test_forms_need_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("root", role="admin"))
    assert client.post("/people/", {"username": "eve", "role": "admin"}).status_code == 403
    assert not User.objects.filter(username="eve").exists()


def test_actions_are_post_only_and_unknown_people_are_404(admin):
    root = person("root").pk
    assert admin.get(f"/people/{root}/disable").status_code == 405
    assert admin.post("/people/999999/disable").status_code == 404
    assert person("root").is_active


def test_add_with_a_typed_password(admin):
    answer = admin.post("/people/", {"username": " dana ", "role": "member", "password": NEW,
                                     "password_confirm": NEW})
    assert answer.status_code == 302
    dana = person("dana")
    assert role_of(dana) == "member" and dana.check_password(NEW) and not dana.is_staff
    assert "dana added as member" in admin.get(answer["Location"]).content.decode()


def test_add_with_a_made_up_password_shows_it_exactly_once(admin):
    answer = admin.post("/people/", {"username": "kim", "role": "admin", "password": "", "password_confirm": ""})
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    shown = re.search(r'id="password-value" readonly value="([^"]+)"', answer.content.decode()).group(1)
    kim = person("kim")
    assert kim.check_password(shown) and role_of(kim) == "admin" and kim.is_staff
    assert shown not in admin.get("/people/").content.decode()  # not in a message or the session either
    assert shown not in str(dict(admin.session))


@pytest.mark.parametrize(("form", "message"), [
    ({"username": "", "role": "member"}, "must not be empty"),
    ({"username": "two words", "role": "member"}, "only letters, digits"),
    ({"username": "root", "role": "member"}, "already exists"),
    ({"username": "eve", "role": "owner"}, "Unknown role"),
    ({"username": "eve", "role": "member", "password": "short", "password_confirm": "short"}, "Password refused"),
    ({"username": "eve", "role": "member", "password": "password123", "password_confirm": "password123"},
     "too common"),
    ({"username": "eve", "role": "member", "password": NEW, "password_confirm": NEW + "!"}, "differ"),
])
def test_bad_additions_are_refused_beside_the_form(admin, form, message):
    answer = admin.post("/people/", form)
    assert answer.status_code == 400
    html = answer.content.decode()
    assert message in html and "is-invalid" in html
    assert set(User.objects.values_list("username", flat=True)) == {"root"}


def test_change_role(admin):
    bob = make_user("bob", role="viewer")
    assert admin.post(f"/people/{bob.pk}/role", {"role": "admin"}).status_code == 302
    bob.refresh_from_db()
    assert role_of(bob) == "admin" and bob.is_staff
    assert admin.post(f"/people/{bob.pk}/role", {"role": "owner"}).status_code == 400
    assert role_of(person("bob")) == "admin"


def test_the_last_active_admin_cannot_demote_or_disable_themself(admin):
    root = person("root")
    for url, data in [(f"/people/{root.pk}/role", {"role": "member"}), (f"/people/{root.pk}/disable", {})]:
        answer = admin.post(url, data)
        assert answer.status_code == 400
        html = answer.content.decode()
        assert "last active admin" in html and f'id="person-{root.pk}"' in html and "<details open>" in html
    root.refresh_from_db()
    assert root.is_active and role_of(root) == "admin"
    make_user("second", role="admin", is_active=False)  # a disabled admin does not count
    assert admin.post(f"/people/{root.pk}/disable").status_code == 400
    make_user("third", role="admin")
    assert admin.post(f"/people/{root.pk}/role", {"role": "member"}).status_code == 302
    assert role_of(person("root")) == "member"


def test_disable_ends_sessions_and_tokens_and_enable_restores_them(admin):
    bob = signed_in("bob", role="member")
    _, plain = ApiToken.issue("script", user=person("bob"))
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    assert bob.get("/").status_code == 200 and Client().get("/api/v1/health", **bearer).status_code == 200
    target = person("bob").pk
    answer = admin.post(f"/people/{target}/disable")
    assert answer.status_code == 302 and not person("bob").is_active
    assert bob.get("/").status_code == 302  # the session no longer signs in: to the login page
    assert Client().get("/api/v1/health", **bearer).status_code == 401
    assert Client().post("/login/", {"username": "bob", "password": PASSWORD}).status_code == 200  # refused
    assert admin.post(f"/people/{target}/enable").status_code == 302
    assert person("bob").is_active and Client().get("/api/v1/health", **bearer).status_code == 200
    assert Client().post("/login/", {"username": "bob", "password": PASSWORD}).status_code == 302


def test_set_a_typed_password_signs_them_out_elsewhere(admin):
    bob = signed_in("bob")
    target = person("bob").pk
    assert admin.post(f"/people/{target}/password", {"password": NEW, "password_confirm": NEW}).status_code == 302
    assert person("bob").check_password(NEW)
    assert bob.get("/").status_code == 302  # the old session ended with the old password


def test_set_a_made_up_password_shows_it_once(admin):
    target = make_user("bob").pk
    answer = admin.post(f"/people/{target}/password", {"password": "", "password_confirm": ""})
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    shown = re.search(r'id="password-value" readonly value="([^"]+)"', answer.content.decode()).group(1)
    assert person("bob").check_password(shown) and shown not in admin.get("/people/").content.decode()


def test_an_admin_setting_their_own_password_stays_signed_in(admin):
    root = person("root").pk
    assert admin.post(f"/people/{root}/password", {"password": NEW, "password_confirm": NEW}).status_code == 302
    assert admin.get("/people/").status_code == 200


@pytest.mark.parametrize(("form", "message"), [
    ({"password": "short", "password_confirm": "short"}, "Password refused"),
    ({"password": NEW, "password_confirm": "something else"}, "differ"),
    ({"password": "", "password_confirm": NEW}, "differ"),
])
def test_bad_passwords_are_refused_and_nothing_changes(admin, form, message):
    target = make_user("bob").pk
    answer = admin.post(f"/people/{target}/password", form)
    assert answer.status_code == 400 and message in answer.content.decode()
    assert person("bob").check_password(PASSWORD)


def test_unlock_lifts_a_lockout(admin):
    carol = make_user("carol")
    wrong_passwords("carol")
    assert Client().post("/login/", {"username": "carol", "password": PASSWORD}).status_code == 429
    assert admin.post(f"/people/{carol.pk}/unlock").status_code == 302
    html = admin.get("/people/").content.decode()
    assert "too many wrong passwords" not in html and "carol may try to sign in again" in html
    assert Client().post("/login/", {"username": "carol", "password": PASSWORD}).status_code == 302


def test_a_lockout_older_than_the_cool_off_is_not_shown(admin):
    from axes.models import AccessAttempt

    carol = make_user("carol")
    wrong_passwords("carol")
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1))
    assert "too many wrong passwords" not in admin.get("/people/").content.decode()
    assert carol.is_active
