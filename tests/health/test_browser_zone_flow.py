"""A zone's life through the pages in real chromium: an officer on a 360-px phone draws a
high-risk zone, sees the resident turn red because of it, files an appeal that a second officer
finds in the queue, then lifts the zone (the 9th-edition plan lowers it to medium first) until
the resident is green again."""

import pytest

from fangyi.health.models import Appeal, Zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def signed_in_page(browser, url: str, username: str, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return page


def assert_fits_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def person_colour(page, url: str, person_id) -> tuple[str, str]:
    """Opens the person's page and waits for the health panel htmx loads into it."""
    page.goto(f"{url}/people/{person_id}/")
    panel = page.locator("#health-panel[data-colour]")
    panel.wait_for()
    return panel.get_attribute("data-colour"), panel.inner_text()


def draw_high_zone(_browser, page, url: str, code: str) -> None:
    page.goto(url)
    page.click(".navbar-toggler")
    page.click("#health-menu")
    page.click(".dropdown-menu >> text=管控区域")
    page.wait_for_url("**/health/zones/")
    assert_fits_phone(page)
    page.select_option("#zone-form select[name=kind]", "high")
    page.fill("#zone-form textarea[name=regions]", code)
    page.fill("#zone-form textarea[name=reason]", "确诊病例居住楼栋")
    page.click("#zone-form button[type=submit]")
    page.wait_for_url("**/health/zones/")
    assert "已划定「1号楼」（高风险区）" in page.locator(".alert-success").inner_text()
    card = page.locator("article[data-kind=high]")
    assert "✗" in card.inner_text() and "降为中风险区" in card.inner_text()
    assert page.locator("#zone-tree [data-tint=red]").count() == 1
    assert_fits_phone(page)


def check_red_and_appeal(_browser, page, url: str, person_id) -> None:
    colour, text = person_colour(page, url, person_id)
    assert colour == "red" and "红码" in text
    assert "居住在1号楼（高风险区）" in text
    assert_fits_phone(page)
    page.click("#health-reasons li[data-reason=zone] >> text=申诉")
    page.wait_for_url("**/appeals/new/?zone=*")
    assert page.locator("input[name=target][value^='zone:']").is_checked()
    page.fill("textarea[name=reason]", "已于上月搬离该楼栋，现住址在第二网格")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/people/{person_id}/")
    assert "已提交申诉" in page.locator(".alert-success").inner_text()
    assert_fits_phone(page)


def find_in_queue(browser, url: str) -> str:
    page = signed_in_page(browser, url, "second_officer", DESKTOP)
    page.goto(f"{url}/health/appeals/")
    row = page.locator("#appeals a", has_text="管控区域：1号楼")
    assert row.count() == 1 and "王*明" in row.inner_text()
    row.click()
    page.wait_for_url("**/health/appeals/*/")
    assert page.locator("button[name=verdict][value=accept]").is_visible()
    text = page.locator("main").inner_text()
    page.context.close()
    return text


def lift(_browser, page, url: str, kind: str, button: str, confirm: str, outcome: str) -> None:
    page.goto(f"{url}/health/zones/")
    page.locator(f"article[data-kind={kind}]").get_by_role("link", name=button).click()
    page.wait_for_url("**/lift/")
    assert confirm in page.locator("h1").inner_text()
    assert_fits_phone(page)
    page.fill("textarea[name=reason]", "连续无新增阳性，经指挥部研判解除")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/health/zones/")
    assert outcome in page.locator(".alert-success").inner_text()


def test_a_zone_is_drawn_appealed_lowered_and_lifted(
    in_browser, live_server, city, officer, second_officer
):
    url = live_server.url
    person = city.person_a.pk
    page = in_browser(signed_in_page, url, "officer", PHONE)

    in_browser(draw_high_zone, page, url, city.building_a.code)
    zone = Zone.objects.active().get()
    assert zone.kind == "high" and zone.created_by == officer

    in_browser(check_red_and_appeal, page, url, person)
    appeal = Appeal.objects.get()
    assert appeal.zone == zone and appeal.state == "open" and appeal.filed_by == officer

    queue = in_browser(find_in_queue, url)
    assert "已于上月搬离该楼栋" in queue

    in_browser(
        lift, page, url, "high", "降为中风险区", "降为中风险区？", "已由高风险区降为中风险区"
    )
    medium = Zone.objects.active().get()
    assert medium.kind == "medium" and medium.predecessor == zone
    colour, text = in_browser(lambda _browser: person_colour(page, url, person))
    assert colour == "yellow" and "居住在1号楼（中风险区）" in text

    in_browser(lift, page, url, "medium", "解除", "解除「1号楼」？", "已解除「1号楼」")
    assert not Zone.objects.active().exists()
    colour, text = in_browser(lambda _browser: person_colour(page, url, person))
    assert colour == "green" and "绿码" in text
