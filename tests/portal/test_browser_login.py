"""A resident on a 360-px phone in real chromium: asks for a code, reads it from the SMS file
(FANGYI_SMS_FILE), logs in, and sees a green code with a live countdown; a refresh brings a
new code, and with the network gone the old one stays up, saying how long it lasts."""

import re

import pytest

from tests.browser import PHONE, ask_for_code, log_in

from .support import last_code, sent_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def refresh_then_go_offline(browser, page):
    before = page.locator("#my-code").get_attribute("data-code")
    # Within one 10-second slot the new code is the same text: mark the element on screen and
    # wait for the refresh to replace it.
    page.evaluate("document.getElementById('my-code').dataset.replaced = 'no'")
    page.click("#code-refresh")
    page.wait_for_function("() => !document.getElementById('my-code').dataset.replaced")
    after = page.locator("#my-code").get_attribute("data-code")
    page.context.set_offline(True)
    page.click("#code-refresh")
    page.locator("#code-offline").wait_for(state="visible")
    offline = {
        "text": page.locator("#code-offline").inner_text(),
        "still": page.locator("#my-code").get_attribute("data-code"),
    }
    page.context.close()
    return before, after, offline


def test_a_resident_logs_in_on_a_phone_and_sees_a_green_code(
    city, live_server, settings, tmp_path, in_browser
):
    sms_file = tmp_path / "sms.jsonl"
    settings.FANGYI_SMS_BACKEND = "file"
    settings.FANGYI_SMS_FILE = str(sms_file)

    page = in_browser(ask_for_code, live_server.url)
    assert len(sent_to(sms_file, "13800000001")) == 1
    seen = in_browser(log_in, page, last_code(sms_file, "13800000001"))

    assert seen["colour"] == "green"
    assert seen["code"].startswith("FY1:")
    assert re.fullmatch(r"[0-5]:[0-5][0-9]", seen["countdown"])
    assert seen["width"] <= PHONE["width"]
    assert seen["band"] == "绿码"

    before, after, offline = in_browser(refresh_then_go_offline, page)
    assert after.startswith("FY1:") and before.startswith("FY1:")
    assert offline["still"] == after
    assert re.search(r"[0-5]:[0-5][0-9]", offline["text"])
