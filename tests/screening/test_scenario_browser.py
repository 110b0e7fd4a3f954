"""The issue's scenario, in a real browser, each person at their own screen:

a sampler fills a tube of ten from residents' health codes; the lab receives it and marks it
positive; all ten turn yellow and retest tasks appear on the grid leader's list; the sampler
takes each of them alone; the lab uploads a results file in which one single tube is positive;
that person turns red and the other nine green; coverage shows the building's progress.
"""

import re

import pytest
from django.utils import timezone

from fangyi.codes import services as codes
from fangyi.fieldwork.models import Task
from fangyi.health.models import Colour, Status
from fangyi.screening.campaigns import services as campaign_services
from tests.browser import session_cookie
from tests.factories import HouseholdFactory, PersonFactory, staff
from tests.support import ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 900}


def _page(browser, user, live_server, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(15_000)
    context.add_cookies([session_cookie(user, live_server)])
    return context, context.new_page()


def _fill_tube(page, live_server, barcode: str, texts: list[str], *, size: str = "") -> None:
    page.goto(f"{live_server.url}/screening/sampling/")
    if size:
        page.get_by_label("混采人数").select_option(size)
    page.get_by_label("试管条码").fill(barcode)
    page.get_by_label("试管条码").press("Enter")
    field = page.get_by_label("扫码或查找居民")
    notice = page.locator("#notice")
    # A queue goes one swab at a time: each scan is answered before the next.
    for count, text in enumerate(texts[:-1], start=1):
        field.fill(text)
        field.press("Enter")
        page.locator("#tube-count").filter(has_text=str(count)).wait_for()
    field.fill(texts[-1])
    field.press("Enter")
    notice.filter(has_text="已自动封管").wait_for()


def _colours(persons) -> dict:
    return dict(
        Status.objects.filter(person_id__in=[p.pk for p in persons]).values_list(
            "person_id", "colour"
        )
    )


def test_a_positive_pool_to_one_red_and_nine_green(
    city, officer, leader_a, sampler, live_server, in_browser, settings, tmp_path
):
    # The lab's file goes through the ledger engine's task; here it runs as it is queued.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    lab = staff("lab", city.province, username="lab")
    campaign = campaign_services.create_campaign(
        actor=officer, name="三坊社区全员核酸", regions=[city.community], default_pool_size=10
    )
    current = campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(hours=2), deadline=ago(hours=-20)
    )
    campaign_services.create_site(
        actor=officer,
        campaign=campaign,
        region=city.grid_a,
        name="一网格采样点",
        capacity_per_hour=300,
        samplers=[sampler],
    )
    households = [HouseholdFactory(building=city.building_a, room=f"{n}01") for n in range(2, 6)]
    people = [city.person_a] + [PersonFactory(household=households[n % 4]) for n in range(11)]
    ten, not_yet = people[:10], people[10:]
    pool_codes = [codes.issue_display_code(person_id=p.pk).text for p in ten]

    def fill_and_mark_positive(browser):
        seen = {}
        context, page = _page(browser, sampler, live_server, PHONE)
        _fill_tube(page, live_server, "P0001", pool_codes)
        seen["sampler"] = page.locator("#notice").inner_text()
        context.close()

        context, page = _page(browser, lab, live_server, DESK)
        page.goto(f"{live_server.url}/screening/lab/")
        receive = page.locator("#receive-form input[name=barcode]")
        receive.fill("P0001")
        receive.press("Enter")
        page.locator("#scan-log").filter(has_text="P0001").wait_for()
        seen["received"] = page.locator("#scan-log").inner_text()
        form = page.locator("#result-form")
        form.get_by_label("试管条码").fill("P0001")
        form.get_by_label("阳性").check()
        form.get_by_role("button", name="录入结果").click()
        asked = page.locator("#confirm-positive")
        seen["confirm"] = asked.inner_text()
        asked.get_by_role("button", name="确认录入阳性").click()
        page.locator("#tube-P0001").filter(has_text="阳性").wait_for()
        seen["lab_page"] = page.content()
        context.close()
        return seen

    seen = in_browser(fill_and_mark_positive)
    assert "P0001" in seen["sampler"]
    assert "P0001" in seen["confirm"] and "管内 10 人将转为黄码" in seen["confirm"]
    assert all(p.name not in seen["lab_page"] for p in ten)
    assert set(_colours(ten).values()) == {Colour.YELLOW}
    retests = Task.objects.filter(source="screening:retest")
    assert set(retests.values_list("person_id", flat=True)) == {p.pk for p in ten}

    retest_codes = [codes.issue_display_code(person_id=p.pk).text for p in ten]

    def retest_each_alone(browser):
        seen = {}
        context, page = _page(browser, leader_a, live_server, DESK)
        page.goto(f"{live_server.url}/tasks/")
        seen["tasks"] = page.locator("main").inner_text()
        context.close()

        context, page = _page(browser, sampler, live_server, PHONE)
        for index, code in enumerate(retest_codes):
            _fill_tube(page, live_server, f"S{index:04d}", [code], size="1")
        context.close()

        results = tmp_path / "lab-results.csv"
        lines = ["试管条码,检测结果,Ct值,检测时间"]
        # A lab's file holds local times.
        tested = timezone.localtime(ago(minutes=1)).strftime("%Y-%m-%d %H:%M")
        for index in range(10):
            outcome, ct = ("阳性", "28.4") if index == 0 else ("阴性", "")
            lines.append(f"S{index:04d},{outcome},{ct},{tested}")
        results.write_text("\n".join(lines) + "\n", encoding="utf-8")
        context, page = _page(browser, lab, live_server, DESK)
        page.goto(f"{live_server.url}/screening/lab/")
        page.locator("#upload-results").click()
        page.get_by_label("台账文件").set_input_files(str(results))
        page.get_by_role("button", name="上传并预检").click()
        page.locator("#commit-form").get_by_role("button").click()
        page.locator("#job-message").wait_for()
        seen["import"] = page.locator("#job-message").inner_text()
        context.close()

        context, page = _page(browser, officer, live_server, DESK)
        page.goto(
            f"{live_server.url}/screening/rounds/{current.pk}/coverage/?region={city.grid_a.code}"
        )
        seen["coverage"] = page.locator(f"[data-region='{city.building_a.code}']").inner_text()
        context.close()
        return seen

    seen = in_browser(retest_each_alone)
    assert seen["tasks"].count("单管复核") >= 10
    assert "导入完成" in seen["import"]
    colours = _colours(ten)
    assert colours[ten[0].pk] == Colour.RED
    assert {colours[p.pk] for p in ten[1:]} == {Colour.GREEN}
    # Building 1 has the twelve: ten sampled (the retests are the same ten), two not yet.
    assert len(not_yet) == 2
    building = seen["coverage"]
    assert city.building_a.name in building and "83.3%" in building
    assert "应检 12" in building and "已采 10" in building and "已出结果 10" in building
    # One positive: the pool's other nine members were cleared by their retests.
    assert re.search(r"单管阳性 (\d+)", building).group(1) == "1"
