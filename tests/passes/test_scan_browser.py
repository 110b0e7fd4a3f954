"""A courier's pass at the checkpoint page in real Chromium, with the network cut: valid while
green and tested within 48 hours; the same pass turns invalid when its test passes 48 hours; a
yellow courier's, or one shown at a gate outside its areas, is invalid with the reason; the
scans upload as refused when the network is back, and a revoked pass is refused."""

import datetime
import time

import pytest
from django.utils import timezone

from fangyi.checkpoints.models import Scan
from fangyi.codes import keys
from fangyi.health import services as health
from fangyi.passes import services
from tests.browser import back_online, go_offline_and_reload, open_scan_page, scan
from tests.passes.support import courier_person, sampled, whitelist
from tests.support import ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def at_gate(page, venue):
    page.select_option("#venue", str(venue.pk) if venue else "")
    return page


def test_a_courier_s_pass_turns_invalid_when_the_test_is_older_than_48_hours(
    in_browser, live_server, city, officer, guard, gate_a, gate_b
):
    keys.current_key()
    on_time = whitelist(officer, city, areas=[city.grid_a])
    # Short of 48 hours by the time it takes to open the page: valid then, not a little later.
    sample = sampled(officer, on_time.person, ago(hours=48) + datetime.timedelta(seconds=25))
    stale = whitelist(officer, city, areas=[city.grid_a])
    sampled(officer, stale.person, ago(hours=49))
    yellow = whitelist(officer, city, areas=[city.grid_a])
    sampled(officer, yellow.person, ago(hours=2))
    health.record_fact(
        actor=officer,
        source="manual",
        person=yellow.person,
        kind="fever_clinic_visit",
        occurred_at=ago(minutes=10),
    )
    passes = {
        name: services.holder_pass(supply_pass.person).code.text
        for name, supply_pass in (("on_time", on_time), ("stale", stale), ("yellow", yellow))
    }

    page = in_browser(open_scan_page, live_server.url, "guard")
    in_browser(lambda _browser: at_gate(page, gate_a))
    assert in_browser(go_offline_and_reload, page)["status"].startswith("离线")

    valid = in_browser(scan, page, passes["on_time"])
    assert valid["result"] == "valid" and valid["colour"] == "green"
    assert "通行证有效" in valid["text"] and "闽运快递" in valid["text"]
    assert on_time.person.masked_name in valid["text"]

    old = in_browser(scan, page, passes["stale"])
    assert old["result"] == "refused"
    assert "通行证无效" in old["text"] and "已超过 48 小时" in old["text"]

    window_ends = sample.occurred_at + datetime.timedelta(hours=48)
    time.sleep(max(0.0, (window_ends - timezone.now()).total_seconds()) + 1.5)
    turned = in_browser(scan, page, passes["on_time"])
    assert turned["result"] == "refused" and "已超过 48 小时" in turned["text"]

    not_green = in_browser(scan, page, passes["yellow"])
    assert not_green["result"] == "refused" and "不是绿码" in not_green["text"]

    in_browser(lambda _browser: at_gate(page, gate_b))
    elsewhere = whitelist(officer, city, areas=[city.grid_a]).person
    sampled(officer, elsewhere, ago(hours=1))
    fresh = services.holder_pass(elsewhere).code.text
    outside = in_browser(scan, page, fresh)
    assert outside["result"] == "refused" and "不在通行证的通行区域内" in outside["text"]

    assert in_browser(back_online, page) == "online"
    uploaded = Scan.objects.filter(kind="pass")
    assert sorted(uploaded.values_list("result", flat=True)) == ["refused"] * 4 + ["valid"]
    assert uploaded.get(result="valid").person == on_time.person
    assert uploaded.get(result="valid").colour == "green"

    services.revoke_pass(actor=officer, supply_pass=stale, reason="离职")
    in_browser(lambda _browser: page.reload())
    in_browser(lambda _browser: page.wait_for_selector("#network-status[data-state=online]"))
    revoked = in_browser(scan, page, passes["stale"])
    assert revoked["result"] == "revoked" and "已撤销" in revoked["text"]


def test_without_a_venue_the_guard_is_asked_to_compare_the_areas(
    in_browser, live_server, city, officer, guard
):
    keys.current_key()
    person = courier_person(city)
    whitelist(officer, city, person=person, areas=[city.grid_b])
    sampled(officer, person, timezone.now() - datetime.timedelta(hours=3))
    text = services.holder_pass(person).code.text
    page = in_browser(open_scan_page, live_server.url, "guard")
    found = in_browser(scan, page, text)
    assert found["result"] == "valid"
    assert "请核对通行区域" in found["text"] and city.grid_b.name in found["text"]
