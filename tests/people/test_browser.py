"""Real chromium at phone width against the live server."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
BOOTSTRAP_PRIMARY = "rgb(13, 110, 253)"


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def assert_fits_phone(page) -> None:
    navbar = page.locator("nav.navbar")
    assert navbar.evaluate("el => getComputedStyle(el).backgroundColor") == BOOTSTRAP_PRIMARY
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_grid_worker_finds_reveals_and_is_kept_in_their_grid(phone, live_server, city, worker_a):
    sign_in(phone, live_server, "worker_a")
    assert phone.url.endswith(f"/regions/{city.grid_a.code}/")
    assert_fits_phone(phone)

    phone.goto(f"{live_server.url}/people/")
    phone.fill("input[name=q]", city.person_a.id_tail)
    phone.press("input[name=q]", "Enter")
    rows = phone.locator("a.person-row")
    rows.first.wait_for()
    assert rows.count() == 1 and "王*明" in rows.first.inner_text()
    assert_fits_phone(phone)

    rows.first.click()
    phone.wait_for_url(f"**/people/{city.person_a.pk}/")
    assert "138****0001" in phone.locator("[data-field=phone]").inner_text()
    phone.fill("input[name=reason]", "电话通知核酸检测")
    phone.click("#person-identity button[type=submit]")
    phone.locator("[data-field=phone] a[href^='tel:']").wait_for()
    assert "13800000001" in phone.locator("[data-field=phone]").inner_text()
    assert_fits_phone(phone)

    response = phone.goto(f"{live_server.url}/people/{city.person_b.pk}/")
    assert response.status == 404
    assert "李" not in phone.content()
    assert phone.locator("h1").inner_text() == "未找到该页面"


def test_officer_edit_shows_up_in_the_audit_log(phone, live_server, city, officer):
    sign_in(phone, live_server, "officer")
    phone.goto(f"{live_server.url}/people/{city.person_a.pk}/edit/")
    assert_fits_phone(phone)
    phone.fill("input[name=phone]", "13912345678")
    phone.check("input[name=tags][value=lives_alone]")
    phone.click("main button[type=submit]")
    phone.wait_for_url(f"**/people/{city.person_a.pk}/")
    assert "已保存" in phone.locator(".alert-success").inner_text()

    phone.click("text=变更记录")
    phone.wait_for_url("**/audit/?object=*")
    entry = phone.locator(".list-group-item").first
    text = entry.inner_text()
    assert "officer" in text and "修改" in text
    assert "138****0001" in text and "139****5678" in text and "独居" in text
    assert "13912345678" not in phone.content()
    assert_fits_phone(phone)
