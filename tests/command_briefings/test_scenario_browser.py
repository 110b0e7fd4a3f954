"""In Chromium: this morning's job has made yesterday's briefing; a commander reads the screen
for that day, downloads the city's briefing from the briefings page and finds the screen's
numbers in the PDF's text."""

import pytest
from django.utils import timezone

from fangyi.command.briefings import services
from fangyi.command.briefings.models import Briefing
from tests.browser import session_cookie

from .support import beijing, counted_day, pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def read_screen_and_download(browser, url, cookie, region_code, day) -> tuple[dict, bytes]:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    context.set_default_timeout(20_000)
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(f"{url}/command/?region={region_code}&date={day.isoformat()}")
    shown = {}
    for card in page.locator("#headline .figure-card").all():
        name = card.locator(".text-body-secondary").first.inner_text().strip()
        shown[name] = card.locator(".figure-value").inner_text().strip()
    page.goto(f"{url}/command/briefings/")
    row = page.locator("#briefings tr", has_text=day.isoformat()).filter(has_text="福州市")
    with page.expect_download() as download:
        row.get_by_role("link", name="PDF").click()
    with open(download.value.path(), "rb") as file:
        content = file.read()
    context.close()
    return shown, content


def test_a_commander_finds_the_screens_numbers_in_this_mornings_briefing(
    in_browser, live_server, city, superuser, commander
):
    day = counted_day(city, superuser)
    assert services.generate_due(now=beijing(timezone.localdate(), 7, 0)) == 2
    assert Briefing.objects.filter(region=city.city, day=day).exists()
    shown, pdf = in_browser(
        read_screen_and_download,
        live_server.url,
        session_cookie(commander, live_server),
        city.city.code,
        day,
    )
    assert shown["新增病例"] == "2"
    assert shown["社会面发现"] == "2"
    text = pdf_text(pdf)
    for name, value in shown.items():
        assert f"{name} {value} " in text, name
