"""On a 360-px phone: a grid leader follows the coverage tree down to a building, opens who is
missing there, and makes home-sampling tasks for them, confirming first."""

import pytest

from fangyi.fieldwork.models import Task
from tests.browser import session_cookie

from .coverage_support import record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_a_leader_drills_down_and_arranges_home_sampling(
    city, leader_a, sampler, site, round_now, live_server, in_browser, tmp_path
):
    city.person_a.is_bedridden = True
    city.person_a.save()
    record(sampler, site, "T0001", [city.person_b], pool_size=1)
    cookie = session_cookie(leader_a, live_server)

    def walk(browser):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        context.set_default_timeout(10_000)
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{live_server.url}/screening/rounds/{round_now.pk}/coverage/")
        seen = {"grid": page.locator("h1").inner_text()}
        # ECharts draws the children's percentages.
        page.locator("#coverage-chart canvas").wait_for()
        widths = [page.evaluate("document.documentElement.scrollWidth")]
        page.get_by_role("link", name="1号楼").click()
        page.wait_for_url("**/missing/**")
        seen["missing"] = page.locator("#missing-list").inner_text()
        widths.append(page.evaluate("document.documentElement.scrollWidth"))
        page.get_by_role("link", name="返回采样覆盖").click()
        page.locator("#home-tasks summary").click()
        page.get_by_role("button", name="确认生成上门采样任务").click()
        page.wait_for_load_state()
        seen["message"] = page.locator(".alert-success").inner_text()
        widths.append(page.evaluate("document.documentElement.scrollWidth"))
        page.screenshot(path=str(tmp_path / "coverage.png"), full_page=True)
        context.close()
        return seen, widths

    seen, widths = in_browser(walk)
    assert "第一网格" in seen["grid"]
    assert "王*明" in seen["missing"] and "卧床" in seen["missing"]
    assert "已生成 1 个上门采样任务" in seen["message"]
    assert all(width <= PHONE["width"] for width in widths), widths
    assert Task.objects.filter(person=city.person_a, kind="home_sampling").count() == 1
