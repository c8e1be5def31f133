""""Your account" (``/account/``): every signed-in person — viewer, member or admin — changes their own password.

The current password is required and a wrong one counts as a failed sign-in (django-axes: at the limit both this
form and the sign-in page answer with the lockout page); Django's password validators apply; this session stays
signed in while the others end; API tokens stay unless the person asks to revoke them; no password is rendered back
or kept in axes' records.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from hi.apps.access.models import ApiToken
from hi.apps.access.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW = "Plum-Tree-Harbour-77"  # unlike anything else a page contains (ids, times, names)
WRONG = "Quince-Guess-Lantern-31"


def signed_in(name: str = "mia", role: str = "member") -> Client:
    """A person signed in through /login/ (a real session with its password hash, as a browser has)."""
    make_user(name, role=role)
    client = Client()
    assert client.post("/login/", {"username": name, "password": PASSWORD}).status_code == 302
    return client


def change(client: Client, current: str, new: str = NEW, confirm: str | None = None, **extra: str):
    return client.post(reverse("account"), {"current_password": current, "new_password": new,
                                            "new_password_confirm": new if confirm is None else confirm, **extra})


def password_is(name: str, password: str) -> bool:
    return User.objects.get(username=name).check_password(password)


@pytest.mark.parametrize("role", ["viewer", "member", "admin"])
def test_everyone_signed_in_has_the_page_and_a_link_to_it(role):
    client = signed_in("pat", role)
    home = client.get("/").content.decode()
    assert 'href="/account/"' in home and "Your account" in home
    page = client.get(reverse("account"))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert "signed in as <strong" in html and f"<strong>{role}</strong>" in html
    assert 'name="current_password"' in html and 'autocomplete="current-password"' in html


def test_anonymous_visitors_are_sent_to_sign_in():
    answer = Client().get(reverse("account"))
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")
    assert Client().post(reverse("account"), {}).status_code == 302


def test_the_form_needs_the_csrf_token():
    make_user("mia", role="member")
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="mia"))
    assert change(client, PASSWORD).status_code == 403
    assert password_is("mia", PASSWORD)


def test_a_member_changes_their_password_stays_signed_in_here_and_is_signed_out_elsewhere():
    here = signed_in("mia")
    elsewhere = Client()
    assert elsewhere.post("/login/", {"username": "mia", "password": PASSWORD}).status_code == 302
    answer = change(here, PASSWORD)
    assert answer.status_code == 302 and answer["Location"] == reverse("account")
    page = here.get(reverse("account"))  # still signed in here
    assert page.status_code == 200 and "Your password is changed" in page.content.decode()
    assert password_is("mia", NEW) and not password_is("mia", PASSWORD)
    gone = elsewhere.get("/")
    assert gone.status_code == 302 and gone["Location"].startswith("/login/")
    assert Client().post("/login/", {"username": "mia", "password": NEW}).status_code == 302
    assert NEW not in page.content.decode() and NEW not in answer.content.decode()


def test_a_wrong_current_password_is_refused_beside_the_field_counted_and_never_shown_or_kept():
    client = signed_in("mia")
    answer = change(client, WRONG)
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "That is not your current password." in html and 'id="current-password-error"' in html
    assert WRONG not in html and NEW not in html and PASSWORD not in html
    assert password_is("mia", PASSWORD)
    attempt = AccessAttempt.objects.get(username="mia")
    assert attempt.failures_since_start == 1
    kept = " ".join([attempt.post_data, attempt.get_data, *AccessFailureLog.objects.values_list("path_info", flat=True)])
    assert WRONG not in kept and NEW not in kept


def test_too_many_wrong_current_passwords_lock_the_form_and_signing_in():
    client = signed_in("mia")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert change(client, WRONG).status_code == 400
    locked = change(client, WRONG)
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "changing your password and signing in are blocked" in text and "hi users unlock" in text
    assert change(client, PASSWORD).status_code == 429  # the right one does not get through either
    assert password_is("mia", PASSWORD)
    assert Client().post("/login/", {"username": "mia", "password": PASSWORD}).status_code == 429
    assert client.get("/").status_code == 200  # the session itself is not ended by the lockout
    admin = Client()
    admin.force_login(make_user("root", role="admin"))
    assert "too many wrong passwords" in admin.get(reverse("people")).content.decode()


@pytest.mark.parametrize(("current", "new", "confirm", "message"), [
    ("", NEW, NEW, "Type your current password."),
    (PASSWORD, "", "", "Type a new password."),
    (PASSWORD, "short-1", "short-1", "too short"),
    (PASSWORD, "password123", "password123", "too common"),
    (PASSWORD, NEW, NEW + "x", "The two new passwords differ"),
    (PASSWORD, PASSWORD, PASSWORD, "the new password is your current one"),
])
def test_refused_new_passwords_change_nothing(current, new, confirm, message):
    client = signed_in("mia")
    answer = change(client, current, new, confirm)
    assert answer.status_code == 400
    html = answer.content.decode()
    assert message.lower() in html.lower()
    assert 'value="' + (new or "-") not in html  # the fields come back empty
    assert password_is("mia", PASSWORD)
    assert client.get("/").status_code == 200


def test_tokens_stay_unless_the_person_asks_to_revoke_them():
    client = signed_in("mia")
    ApiToken.issue("script", user=User.objects.get(username="mia"))
    others = ApiToken.issue("theirs", user=make_user("bob", role="member"))[0]
    assert "Also revoke my API tokens (1)" in client.get(reverse("account")).content.decode()
    assert change(client, PASSWORD).status_code == 302
    assert ApiToken.objects.filter(user__username="mia").count() == 1
    answer = change(client, NEW, "Another-Harbour-Plum-88", revoke_tokens="on")
    assert answer.status_code == 302
    assert "1 API token revoked" in client.get(reverse("account")).content.decode()
    assert not ApiToken.objects.filter(user__username="mia").exists()
    assert ApiToken.objects.filter(pk=others.pk).exists()


def test_get_and_post_only():
    client = signed_in("mia")
    assert client.put(reverse("account")).status_code == 405
