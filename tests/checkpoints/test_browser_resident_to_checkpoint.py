"""The whole way, in real Chromium: a resident asks for a one-time code, reads it from the log
(the default SMS backend), logs in and sees a green code; a guard whose phone has lost the
network scans that very code and sees green; a minute past its expiry the same code shows
expired, and with one character changed it shows invalid."""

import datetime
import re

import pytest
from django.utils import timezone

from fangyi.codes import keys
from tests.browser import ask_for_code, log_in, open_scan_page, scan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_from_log(caplog, phone: str) -> str:
    sent = [
        r.getMessage() for r in caplog.records if r.name == "fangyi.sms" and phone in r.getMessage()
    ]
    assert sent, "no SMS was logged"
    return re.search(r"(?<![0-9])[0-9]{6}(?![0-9])", sent[-1]).group()


def cut_network(_browser, page) -> None:
    # Reloading from the service worker is tests/checkpoints/test_browser_scan.py's concern.
    page.context.set_offline(True)
    page.wait_for_selector("#network-status[data-state=offline]")


def in_the_future(_browser, page, seconds: int) -> None:
    # The guard's phone clock, moved on: what a screenshot shown later would meet.
    moment = (timezone.now() + datetime.timedelta(seconds=seconds)).timestamp() * 1000
    page.clock.set_fixed_time(moment)


def test_a_residents_code_from_the_portal_verifies_at_a_checkpoint_offline(
    in_browser, live_server, city, guard_a, settings, caplog
):
    settings.FANGYI_SMS_BACKEND = "log"
    caplog.set_level("INFO", logger="fangyi.sms")
    keys.current_key()
    url = live_server.url

    resident = in_browser(ask_for_code, url)
    shown = in_browser(log_in, resident, code_from_log(caplog, city.person_a.phone))
    assert shown["colour"] == "green" and shown["code"].startswith("FY1:")

    guard = in_browser(open_scan_page, url, "guard_a")
    in_browser(cut_network, guard)

    good = in_browser(scan, guard, shown["code"])
    assert good["result"] == "valid" and good["colour"] == "green"
    assert "绿码" in good["text"] and city.person_a.id_number[-4:] in good["text"]

    position = len(shown["code"]) // 2
    changed = "A" if shown["code"][position] != "A" else "B"
    tampered = shown["code"][:position] + changed + shown["code"][position + 1 :]
    bad = in_browser(scan, guard, tampered)
    assert bad["result"] in {"bad_signature", "malformed"} and bad["colour"] == ""

    in_browser(in_the_future, guard, settings.FANGYI_DISPLAY_CODE_SECONDS + 60)
    late = in_browser(scan, guard, shown["code"])
    assert late["result"] == "expired" and "已过期" in late["text"]
