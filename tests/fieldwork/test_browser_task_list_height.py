"""The leaders' task list with 50 tasks stays short on a 360-px phone and a 1280-px desktop
(one assign control for the selection, not one per task), and "select all" ticks every task."""

import pytest

from fangyi.fieldwork import services
from tests.browser import session_cookie
from tests.support import later

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_HEIGHT = 3000


@pytest.fixture
def fifty_tasks(city, leader_a, settings):
    settings.FANGYI_PAGE_SIZE = 50
    return [
        services.create_task(
            actor=leader_a,
            kind="follow_up_visit",
            person=city.person_a,
            title=f"第{n}次随访：询问症状并测体温",
            due_at=later(hours=n + 1),
        )
        for n in range(50)
    ]


@pytest.mark.parametrize("width", [360, 1280])
def test_fifty_tasks_fit_and_select_all(fifty_tasks, leader_a, live_server, in_browser, width):
    cookie = session_cookie(leader_a, live_server)

    def measure(browser):
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
        context.set_default_timeout(10_000)
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{live_server.url}/tasks/")
        found = {
            "rows": page.locator("#tasks > li").count(),
            "height": page.evaluate("document.documentElement.scrollHeight"),
            "scroll_width": page.evaluate("document.documentElement.scrollWidth"),
            "selects": page.locator("select[name=assignee]").count(),
        }
        page.check("#select-all")
        found["ticked"] = page.locator(".task-select:checked").count()
        found["count"] = page.locator("#selected-count").inner_text()
        context.close()
        return found

    found = in_browser(measure)
    assert found["rows"] == 50 and found["selects"] == 1
    assert found["height"] < MAX_HEIGHT, found
    assert found["scroll_width"] <= width
    assert found["ticked"] == 50 and found["count"] == "50"
