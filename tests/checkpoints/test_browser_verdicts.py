"""A tampered code at the checkpoint: the guard reads a sentence in their language (Chinese by
default, English when chosen); the technical reason stays in a data attribute."""

import pytest

from fangyi.codes import keys, services
from tests.support import tampered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def scan_tampered(browser, url: str, code: str, language: str) -> dict:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(f"{url}/login/")
        page.fill("input[name=username]", "guard_a")
        page.fill("input[name=password]", "correct horse battery")
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        host = url.split("//", 1)[1].split(":")[0]
        context.add_cookies(
            [{"name": "django_language", "value": language, "domain": host, "path": "/"}]
        )
        page.goto(f"{url}/checkpoints/scan/")
        page.wait_for_selector("#network-status[data-state=online]")
        page.fill("#code-text", code)
        page.click("#verify-button")
        overlay = page.locator("#scan-result:not([hidden])")
        overlay.wait_for()
        return {
            "result": overlay.get_attribute("data-result"),
            "reason": overlay.get_attribute("data-reason"),
            "text": overlay.inner_text(),
        }
    finally:
        context.close()


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("zh-hans", "此码内容已损坏或被篡改，无法读取。请对方重新出示。"),
        ("en", "This code is damaged or has been tampered with and cannot be read."),
    ],
)
def test_a_tampered_code_shows_a_sentence(
    in_browser, live_server, city, guard_a, language, sentence
):
    keys.current_key()
    code = tampered(services.issue_display_code(person_id=city.person_a.pk).text)
    shown = in_browser(scan_tampered, live_server.url, code, language)
    assert shown["result"] == "malformed" and shown["reason"] == "not zlib"
    assert sentence in shown["text"]
    assert "zlib" not in shown["text"]
