"""The sampling screen's camera button (core/camera.js, shared with the checkpoint screen): on a
phone with a camera it starts the camera and stops it again; without one, the sampler is told
to use the scanner or type."""

import pytest

from tests.browser import session_cookie
from tests.support import CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
# Chromium's fake camera (a moving test pattern), allowed without asking.
FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture
def sampling_url(site, round_now, live_server):
    return f"{live_server.url}/screening/sampling/"


def signed_in_page(browser, url, cookie):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(10_000)
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(url)
    return page


def press_camera_twice(browser, url, cookie) -> dict:
    page = signed_in_page(browser, url, cookie)
    button = page.locator("#camera-button")
    box = page.locator("#camera-box")
    seen = {"idle": button.inner_text()}
    button.click()
    box.wait_for()
    page.wait_for_function("() => document.getElementById('camera').readyState >= 2")
    seen["on"] = button.inner_text()
    button.click()
    box.wait_for(state="hidden")
    seen["off"] = button.inner_text()
    page.context.close()
    return seen


def test_the_camera_starts_and_stops(sampling_url, sampler, live_server, in_browser):
    cookie = session_cookie(sampler, live_server)

    def with_camera(browser):
        phone = browser.browser_type.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS + FAKE_CAMERA
        )
        try:
            return press_camera_twice(phone, sampling_url, cookie)
        finally:
            phone.close()

    seen = in_browser(with_camera)
    assert seen["on"] != seen["idle"] and seen["off"] == seen["idle"]


def test_without_a_camera_the_sampler_is_told_what_else_to_do(
    sampling_url, sampler, live_server, in_browser
):
    cookie = session_cookie(sampler, live_server)

    def without_camera(browser):
        page = signed_in_page(browser, sampling_url, cookie)
        page.locator("#camera-button").click()
        notice = page.locator("#notice").filter(has_text="摄像头")
        notice.wait_for()
        seen = {"notice": notice.inner_text(), "box": page.locator("#camera-box").is_visible()}
        page.context.close()
        return seen

    seen = in_browser(without_camera)
    assert "无法使用摄像头，请用扫码枪或手动输入。" in seen["notice"] and not seen["box"]
