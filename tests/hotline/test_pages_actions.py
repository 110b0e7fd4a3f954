"""A ticket's page and its actions, each through its form: the unit accepts, notes, replies
and resolves or returns it with a reason; the operator calls back, and "not satisfied"
reopens it to the unit; merging asks for confirmation; a supply request, a field task and a
health-code appeal start from it."""

import pytest

from fangyi.fieldwork.models import Task
from fangyi.health.models import Appeal
from fangyi.hotline.area import OPERATOR
from fangyi.hotline.models import Callback, EventKind, LinkKind, State, Ticket
from fangyi.supplies.models import Request
from tests.factories import staff
from tests.hotline.support import fever_clinic_fact
from tests.support import signed_in

from .pages_support import community_team, ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(city):
    return staff(OPERATOR, city.city, username="operator")


def state_of(made: Ticket) -> str:
    made.refresh_from_db()
    return made.state


def test_the_unit_works_a_ticket_and_a_not_satisfied_callback_reopens_it(city, worker_a, operator):
    team = community_team(city, worker_a)
    made = ticket(region=city.building_a, handled_by=team)
    unit_page = signed_in(worker_a)
    page = unit_page.get(f"/hotline/{made.pk}/").content.decode()
    assert 'id="accept"' in page and 'id="callback-form"' not in page and 'id="merge"' not in page
    unit_page.post(f"/hotline/{made.pk}/accept/")
    assert state_of(made) == State.ACCEPTED
    unit_page.post(f"/hotline/{made.pk}/note/", {"note": "已联系超市配送。"})
    refused = unit_page.post(f"/hotline/{made.pk}/resolve/", {"text": ""}, follow=True)
    assert "请填写答复内容再办结。" in refused.content.decode()
    assert state_of(made) == State.ACCEPTED
    unit_page.post(f"/hotline/{made.pk}/resolve/", {"text": "蔬菜包已送到门口。"})
    assert state_of(made) == State.RESOLVED
    desk = signed_in(operator)
    page = desk.get(f"/hotline/{made.pk}/").content.decode()
    assert 'id="callback-form"' in page
    callback = Callback.objects.get(ticket=made)
    missing_reason = desk.post(
        f"/hotline/{made.pk}/callback/",
        {"callback": str(callback.pk), "result": "not_satisfied", "note": ""},
        follow=True,
    )
    assert "请填写此项。" in missing_reason.content.decode()
    desk.post(
        f"/hotline/{made.pk}/callback/",
        {"callback": str(callback.pk), "result": "not_satisfied", "note": "只送了一半。"},
    )
    made.refresh_from_db()
    assert made.state == State.DISPATCHED and made.unit == team and made.reopen_count == 1
    page = desk.get(f"/hotline/{made.pk}/").content.decode()
    assert "只送了一半。" in page and "已联系超市配送。" in page and "重办 1 次" in page


def test_returning_needs_a_reason_and_other_staff_may_not_act_for_the_unit(
    city, worker_a, worker_b, commander
):
    team = community_team(city, worker_a)
    made = ticket(region=city.building_a, handled_by=team)
    assert signed_in(commander).post(f"/hotline/{made.pk}/accept/").status_code == 403
    assert signed_in(worker_b).post(f"/hotline/{made.pk}/accept/").status_code == 404
    browser = signed_in(worker_a)
    empty = browser.post(f"/hotline/{made.pk}/return/", {"reason": ""}, follow=True)
    assert "这个字段是必填项。" in empty.content.decode() and state_of(made) == State.DISPATCHED
    browser.post(f"/hotline/{made.pk}/return/", {"reason": "地址在隔壁社区。"})
    made.refresh_from_db()
    assert made.state == State.RETURNED and made.unit is None
    assert made.events.filter(kind=EventKind.RETURN, note="地址在隔壁社区。").exists()


def test_merging_asks_for_confirmation(city, operator):
    team = community_team(city)
    first = ticket(region=city.building_a, handled_by=team)
    second = ticket(region=city.building_a, handled_by=team)
    desk = signed_in(operator)
    unconfirmed = desk.post(f"/hotline/{second.pk}/merge/", {"into": first.number}, follow=True)
    assert "请勾选确认后再合并。" in unconfirmed.content.decode()
    assert state_of(second) == State.DISPATCHED
    desk.post(f"/hotline/{second.pk}/merge/", {"into": first.number, "confirmed": "on"})
    assert state_of(second) == State.MERGED


def test_a_supply_request_starts_from_the_ticket_for_the_callers_household(city, worker_a):
    team = community_team(city, worker_a)
    made = ticket(region=city.building_a, handled_by=team, caller=city.person_a)
    browser = signed_in(worker_a)
    assert 'id="start-supply"' in browser.get(f"/hotline/{made.pk}/").content.decode()
    nameless = browser.post(
        f"/hotline/{made.pk}/supply/", {"kind": "goods", "quantity": "1", "unit": "袋"}, follow=True
    )
    assert "请填写物品或药品名称。" in nameless.content.decode()
    browser.post(
        f"/hotline/{made.pk}/supply/",
        {"kind": "goods", "item": "大米", "quantity": "2", "unit": "袋"},
    )
    request = Request.objects.get()
    assert request.household == city.household_a and request.hotline_ticket == made.number
    link = made.links.get()
    assert link.kind == LinkKind.SUPPLY_REQUEST and link.target_id == request.pk
    assert "物资需求" in browser.get(f"/hotline/{made.pk}/").content.decode()


def test_a_field_task_starts_from_the_ticket_of_a_known_caller_only(city, worker_a, leader_a):
    team = community_team(city, worker_a, leader_a)
    known = ticket(region=city.building_a, handled_by=team, caller=city.person_a)
    page = f"/hotline/{known.pk}/"
    assert 'id="start-task"' not in signed_in(worker_a).get(page).content.decode()
    anonymous = ticket(region=city.building_a, handled_by=team)
    browser = signed_in(leader_a)
    assert 'id="start-task"' not in browser.get(f"/hotline/{anonymous.pk}/").content.decode()
    refused = browser.post(
        f"/hotline/{anonymous.pk}/task/", {"kind": "follow_up_visit"}, follow=True
    )
    assert "匿名来电不能派网格任务" in refused.content.decode()
    assert 'id="start-task"' in browser.get(page).content.decode()
    browser.post(f"/hotline/{known.pk}/task/", {"kind": "follow_up_visit", "notes": "老人独居"})
    task = Task.objects.get()
    assert (task.source, task.source_ref, task.person) == ("hotline", known.number, city.person_a)
    assert known.links.get().kind == LinkKind.FIELD_TASK


def test_a_health_code_appeal_starts_from_the_ticket_with_messages_for_what_is_missing(
    city, worker_a
):
    team = community_team(city, worker_a)
    made = ticket(region=city.building_a, handled_by=team, caller=city.person_a)
    browser = signed_in(worker_a)
    page = f"/hotline/{made.pk}/"
    assert 'id="no-appeal-target"' in browser.get(page).content.decode()
    fact = fever_clinic_fact(worker_a, city.person_a)
    shown = browser.get(page).content.decode()
    assert 'id="start-appeal-button"' in shown and f'value="fact:{fact.pk}"' in shown
    target = f"fact:{fact.pk}"
    person = str(city.person_a.pk)
    no_reason = browser.post(
        f"/hotline/{made.pk}/appeal/", {"person": person, "target": target}, follow=True
    )
    assert "申诉理由：" in no_reason.content.decode()
    strange = browser.post(
        f"/hotline/{made.pk}/appeal/",
        {"person": str(city.person_b.pk), "target": "fact:x", "reason": "当天在外地"},
        follow=True,
    )
    assert "申诉人（来电人住户成员）：" in strange.content.decode()
    assert not Appeal.objects.exists()
    browser.post(
        f"/hotline/{made.pk}/appeal/", {"person": person, "target": target, "reason": "当天在外地"}
    )
    appeal = Appeal.objects.get()
    assert (appeal.person, appeal.fact) == (city.person_a, fact)
    assert made.number in appeal.reason
    link = made.links.get()
    assert (link.kind, link.target_id) == (LinkKind.HEALTH_APPEAL, appeal.pk)
    again = browser.post(
        f"/hotline/{made.pk}/appeal/",
        {"person": person, "target": target, "reason": "再申诉一次"},
        follow=True,
    )
    assert "该记录已有待处理的申诉。" in again.content.decode()


def test_only_the_unit_may_start_an_appeal_and_an_operator_holds_no_right_to(
    city, worker_a, worker_b, operator
):
    team = community_team(city, worker_a)
    made = ticket(region=city.building_a, handled_by=team, caller=city.person_a)
    body = {"person": str(city.person_a.pk), "target": "zone:x", "reason": "不在管控区"}
    assert signed_in(worker_b).post(f"/hotline/{made.pk}/appeal/", body).status_code == 404
    desk = signed_in(operator)
    assert 'id="start-appeal"' not in desk.get(f"/hotline/{made.pk}/").content.decode()
    assert desk.post(f"/hotline/{made.pk}/appeal/", body).status_code == 403
    anonymous = ticket(region=city.building_a, handled_by=team)
    unit = signed_in(worker_a)
    assert 'id="start-appeal"' not in unit.get(f"/hotline/{anonymous.pk}/").content.decode()
    refused = unit.post(f"/hotline/{anonymous.pk}/appeal/", body, follow=True)
    assert "来电人没有登记住户" in refused.content.decode()
    assert not made.links.exists() and not anonymous.links.exists()
