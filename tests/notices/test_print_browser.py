"""The notice's A4 page in Chromium, under the site's Content-Security-Policy: its layout
applies (large centred title, the print bar hidden when printing) and its print button prints."""

import pytest

from fangyi.notices import services
from tests.browser import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# An A4 sheet at the 96 dpi of CSS pixels.
A4 = {"width": 794, "height": 1123}


def open_print_page(browser, url, cookie, notice_id) -> dict:
    context = browser.new_context(viewport=A4, locale="zh-CN")
    context.set_default_timeout(30_000)
    context.add_cookies([cookie])
    page = context.new_page()
    # Counts the calls instead of opening the print dialog, which a headless page cannot close.
    page.add_init_script("window.printed = 0; window.print = () => { window.printed += 1; };")
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{url}/notices/{notice_id}/print/")
    title = page.locator("main.sheet h1")
    shown = {
        "font_size": title.evaluate("(h1) => getComputedStyle(h1).fontSize"),
        "align": title.evaluate("(h1) => getComputedStyle(h1).textAlign"),
        "bar_on_screen": page.locator(".print-bar").is_visible(),
    }
    page.click(".print-bar button")
    shown["printed"] = page.evaluate("window.printed")
    page.emulate_media(media="print")
    shown["bar_printed"] = page.locator(".print-bar").is_visible()
    shown["refused"] = refused
    context.close()
    return shown


def test_the_a4_page_is_laid_out_and_prints_under_the_csp(in_browser, live_server, city, officer):
    notice = services.create_notice(
        actor=officer, title="停水通知", body="周二 9:00 至 15:00 停水。", regions=[city.grid_a]
    )
    services.publish_notice(actor=officer, notice=notice)
    shown = in_browser(
        open_print_page, live_server.url, session_cookie(officer, live_server), notice.pk
    )
    assert shown["refused"] == []
    assert shown["font_size"] == "40px"  # 30pt
    assert shown["align"] == "center"
    assert shown["bar_on_screen"] and not shown["bar_printed"]
    assert shown["printed"] == 1
