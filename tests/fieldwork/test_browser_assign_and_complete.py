"""On a 360-px phone: a grid leader assigns a home-sampling task to a grid worker, the worker
finds it in 我的任务, opens it and records it done."""

import pytest

from fangyi.fieldwork.models import Task
from tests.browser import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_a_leader_assigns_and_the_worker_records_it_done(
    task_a, leader_a, worker_a, live_server, in_browser
):
    leader_cookie = session_cookie(leader_a, live_server)
    worker_cookie = session_cookie(worker_a, live_server)

    def phone(browser, cookie):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        context.set_default_timeout(10_000)
        context.add_cookies([cookie])
        return context, context.new_page()

    def assign(browser):
        context, page = phone(browser, leader_cookie)
        page.goto(f"{live_server.url}/tasks/")
        page.locator(f"#task-{task_a.pk} input[type=checkbox]").check()
        page.locator("#bulk-assign").get_by_label("承办人").select_option(label="worker_a")
        page.get_by_role("button", name="分派所选").click()
        page.wait_for_load_state()
        message = page.locator(".alert-success").inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        context.close()
        return message, width

    def work(browser):
        context, page = phone(browser, worker_cookie)
        page.goto(f"{live_server.url}/tasks/mine/")
        listed = page.locator(f"#task-{task_a.pk}").inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        page.locator(f"#task-{task_a.pk}").get_by_role("link", name="办理").click()
        page.get_by_label("办理情况").fill("已上门采样，管号 T0001")
        page.get_by_role("button", name="已完成").click()
        page.wait_for_url(f"{live_server.url}/tasks/mine/")
        after = page.locator("main").inner_text()
        context.close()
        return listed, width, after

    message, width = in_browser(assign)
    assert "worker_a" in message and width <= PHONE["width"]
    assert Task.objects.get(pk=task_a.pk).assignee == worker_a

    listed, width, after = in_browser(work)
    assert "上门采样" in listed and "王*明" in listed and width <= PHONE["width"]
    assert "已记录：任务完成" in after and "眼下没有分派给您的任务" in after
    task = Task.objects.get(pk=task_a.pk)
    assert task.status == "done" and task.note == "已上门采样，管号 T0001"
