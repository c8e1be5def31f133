"""Attachments through the hub (login, lazy, cached by id + updatedAt, links never followed) and warranties."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.test import Client
from django.urls import reverse

from hi.apps.access.testing import make_user
from hi.apps.entity.models import EntityAttribute
from hi.integrations.sync.engine import run_sync
from hi.simulator.homebox import PDF

from .conftest import configure

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(db) -> Client:
    client = Client()
    client.force_login(make_user("alice", password="correct horse battery"))
    return client


@pytest.fixture(autouse=True)
def _attachment_dir(settings, tmp_path):
    settings.HOMEBOX_ATTACHMENT_DIR = tmp_path / "attachments"


def _manual(sim, name: str):
    item = next(i for i in sim.state.items.values() if i.name == name)
    return item, next(a for a in item.attachments if a.type == "manual")


def test_a_file_is_fetched_once_then_served_from_the_cache_and_a_replaced_one_is_noticed(sim, browser):
    configure(sim)
    run_sync("homebox")
    item, manual = _manual(sim, "Dishwasher")
    url = reverse("homebox:attachment", args=[item.id, manual.id])
    first = browser.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert b"".join(first.streaming_content) == PDF
    assert browser.get(url).status_code == 200
    assert sim.state.attachment_downloads == 1  # the second came from the cache
    sim.state.replace_attachment(item.id, manual.id, PDF + b"% revised\n")
    run_sync("homebox")  # the item's updatedAt moved: its detail (with the attachment's updatedAt) is re-read
    again = browser.get(url)
    assert b"".join(again.streaming_content).endswith(b"% revised\n")
    assert sim.state.attachment_downloads == 2


def test_a_sync_prunes_the_files_of_items_homebox_no_longer_has(sim, browser, settings):
    configure(sim)
    run_sync("homebox")
    item, manual = _manual(sim, "Dishwasher")
    assert browser.get(reverse("homebox:attachment", args=[item.id, manual.id])).status_code == 200
    cached = [p.name for p in settings.HOMEBOX_ATTACHMENT_DIR.iterdir() if not p.name.endswith(".type")]
    assert len(cached) == 1 and cached[0].startswith(manual.id)
    run_sync("homebox")
    assert (settings.HOMEBOX_ATTACHMENT_DIR / cached[0]).exists()  # still HomeBox's: kept
    sim.state.delete_item(item.id)
    run_sync("homebox")
    assert not any(settings.HOMEBOX_ATTACHMENT_DIR.iterdir())


def test_the_cache_keeps_under_its_cap_dropping_the_file_opened_longest_ago(sim, browser, settings):
    configure(sim)
    run_sync("homebox")
    files = [(item, a) for item in sim.state.items.values() for a in item.attachments if not a.link_url]
    assert len(files) >= 2
    (old_item, old), (new_item, new) = files[:2]
    for item, attachment in ((old_item, old), (new_item, new)):
        assert browser.get(reverse("homebox:attachment", args=[item.id, attachment.id])).status_code == 200
    directory = settings.HOMEBOX_ATTACHMENT_DIR
    sizes = {p.name.rsplit("-", 1)[0]: p.stat().st_size for p in directory.iterdir() if not p.name.endswith(".type")}
    stamp = directory / next(p.name for p in directory.iterdir() if p.name.startswith(old.id)
                             and not p.name.endswith(".type"))
    os.utime(stamp, (1_000_000, 1_000_000))  # opened long ago
    settings.HOMEBOX_ATTACHMENT_CACHE_MB = sizes[new.id] / (1024 * 1024)  # room for the newer file only
    run_sync("homebox")
    left = {p.name.rsplit("-", 1)[0] for p in directory.iterdir() if not p.name.endswith(".type")}
    assert left == {new.id}
    again = browser.get(reverse("homebox:attachment", args=[old_item.id, old.id]))  # fetched again on demand
    assert again.status_code == 200 and b"".join(again.streaming_content) == old.content


def test_files_need_a_login_and_unknown_ones_are_404(sim, browser):
    configure(sim)
    run_sync("homebox")
    item, manual = _manual(sim, "Dishwasher")
    url = reverse("homebox:attachment", args=[item.id, manual.id])
    assert Client().get(url).status_code == 302  # to the login page
    assert sim.state.attachment_downloads == 0
    assert browser.get(reverse("homebox:attachment", args=[item.id, "nope"])).status_code == 404


def test_a_link_attachment_is_a_link_and_the_hub_never_requests_it(sim, browser):
    if not sim.state.vt >= (0, 11):
        pytest.skip("the old lineage has no link attachments")
    configure(sim)
    run_sync("homebox")
    drill = next(i for i in sim.state.items.values() if i.name == "Cordless drill")
    link = next(a for a in drill.attachments if a.link_url)
    assert browser.get(reverse("homebox:attachment", args=[drill.id, link.id])).status_code == 404
    assert sim.api.requests.get(f"GET /api/v1/entities/{drill.id}/attachments/{link.id}") is None
    page = browser.get(reverse("entity", args=[EntityAttribute.objects.get(value=link.link_url).entity_id]))
    assert f'href="{link.link_url}"' in page.content.decode()


def test_the_warranty_view_lists_what_ends_within_n_days_soonest_first(sim, browser):
    configure(sim)
    run_sync("homebox")
    body = browser.get(reverse("homebox:warranties") + "?days=90").content.decode()
    # demo warranties: fridge in 20 days, TV in 75, microwave ended 30 days ago, the rest later
    assert body.index("Refrigerator") < body.index("Living room TV")
    assert "Dishwasher" not in body.split("Ended in the last 30 days")[0]
    assert "Microwave" in body.split("Ended in the last 30 days")[1]
    wide = browser.get(reverse("homebox:warranties") + "?days=500").content.decode()
    assert "Dishwasher" in wide
    assert browser.get(reverse("homebox:warranties") + "?days=abc").status_code == 200


def test_days_until_is_measured_from_today(sim, browser):
    from hi.services.homebox.warranty import expiring

    configure(sim)
    run_sync("homebox")
    rows = expiring(30, dt.date.today())
    assert [(r.entity.name, r.days_left) for r in rows] == [("Refrigerator", 20)]
    assert rows[0].location == "Home / Kitchen"
    assert any(name.startswith("Manual: ") for name, _ in rows[0].documents)
