"""On a 360-px phone: a sampler types a tube's barcode, adds residents by pasting their FY1
codes and by searching, and sees the tube close itself when full — without a page load."""

import pytest

from fangyi.codes import services as codes
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.models import Tube
from tests.browser import session_cookie
from tests.factories import PersonFactory
from tests.support import ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_a_sampler_fills_a_tube_from_codes_and_search(
    city, officer, sampler, live_server, in_browser
):
    campaign = campaign_services.create_campaign(
        actor=officer, name="三坊社区全员核酸", regions=[city.community], default_pool_size=5
    )
    campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(hours=1), deadline=ago(hours=-5)
    )
    campaign_services.create_site(
        actor=officer,
        campaign=campaign,
        region=city.grid_a,
        name="一网格采样点",
        capacity_per_hour=300,
        samplers=[sampler],
    )
    third = PersonFactory(household=city.household_a, name="张伟")
    by_name = PersonFactory(household=city.household_b, name="赵丽", gender="F")
    by_tail = PersonFactory(household=city.household_b, name="孙强")
    pasted = [
        codes.issue_display_code(person_id=p.pk).text for p in (city.person_a, city.person_b, third)
    ]
    cookie = session_cookie(sampler, live_server)

    def sample(browser):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        context.set_default_timeout(10_000)
        context.add_cookies([cookie])
        page = context.new_page()
        loads = []
        page.on("load", lambda _page: loads.append(1))
        page.goto(f"{live_server.url}/screening/sampling/")
        seen = {"site": page.locator("#site-line").inner_text()}
        notice = page.locator("#notice")

        page.get_by_label("试管条码").fill("T0001")
        page.get_by_label("试管条码").press("Enter")
        notice.filter(has_text="人数按第一位居民确定").wait_for()
        text = page.get_by_label("扫码或查找居民")
        for code in pasted:
            text.fill(code)
            text.press("Enter")
            page.locator("#tube-count").filter(has_text=str(pasted.index(code) + 1)).wait_for()
        seen["size"] = page.locator("#tube-size").inner_text()
        seen["members"] = page.locator("#members").inner_text()

        text.fill("赵")
        text.press("Enter")
        results = page.locator("#results")
        results.get_by_role("button", name="加入").wait_for()
        seen["found"] = results.inner_text()
        results.get_by_role("button", name="加入").click()
        page.locator("#tube-count").filter(has_text="4").wait_for()

        text.fill(by_tail.id_tail)
        text.press("Enter")
        results.get_by_role("button", name="加入").wait_for()
        results.get_by_role("button", name="加入").click()
        notice.filter(has_text="已自动封管").wait_for()
        seen["closed"] = notice.inner_text()
        seen["recent"] = page.locator("#recent").inner_text()
        seen["open_again"] = page.locator("#open-section").is_visible()

        page.get_by_label("试管条码").fill("T0001")
        page.get_by_label("试管条码").press("Enter")
        notice.filter(has_text="已被使用").wait_for()
        seen["duplicate"] = notice.inner_text()
        seen["width"] = page.evaluate("document.documentElement.scrollWidth")
        seen["loads"] = len(loads)
        context.close()
        return seen

    seen = in_browser(sample)
    assert "一网格采样点" in seen["site"] and "第1轮" in seen["site"]
    assert seen["size"] == "5"
    assert [line for line in seen["members"].split("\n") if "*" in line] == [
        "王*明",
        "李*英",
        "张*",
    ]
    assert "赵*" in seen["found"] and by_name.id_number not in seen["found"]
    assert "试管 T0001 已满 5 人，已自动封管。" in seen["closed"]
    assert "T0001 · 5 人" in seen["recent"] and seen["open_again"]
    assert "条码 T0001 已被使用，请换一支试管。" in seen["duplicate"]
    assert seen["width"] <= PHONE["width"] and seen["loads"] == 1
    tube = Tube.objects.get()
    assert (tube.state, tube.pool_size) == ("closed", 5)
    assert {s.person_id for s in tube.samples.all()} == {
        city.person_a.pk,
        city.person_b.pk,
        third.pk,
        by_name.pk,
        by_tail.pk,
    }
