"""The appeal queue: oldest first with their age, overdue ones flagged (and on the officer's home
page), decided by someone other than who recorded what is contested."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fangyi.health import services
from fangyi.health.models import Appeal, Fact, FactKind, Status
from tests.support import signed_in


def _positive(actor, person) -> Fact:
    return services.record_fact(
        actor=actor,
        source="manual",
        person=person,
        kind=FactKind.TEST_RESULT,
        occurred_at=timezone.now() - datetime.timedelta(hours=5),
        outcome="positive",
        variant="single",
    )


def _file(actor, person, fact, *, hours_ago: int = 0) -> Appeal:
    appeal = services.file_appeal(actor=actor, person=person, reason="当天不在本市", fact=fact)
    if hours_ago:
        Appeal.objects.filter(pk=appeal.pk).update(
            filed_at=timezone.now() - datetime.timedelta(hours=hours_ago)
        )
        appeal.refresh_from_db()
    return appeal


@pytest.fixture
def appeals(city, officer, worker_a):
    """An appeal 30 hours old for person_a and a fresh one for person_b, both against facts
    the officer recorded."""
    old = _file(worker_a, city.person_a, _positive(officer, city.person_a), hours_ago=30)
    new = _file(officer, city.person_b, _positive(officer, city.person_b), hours_ago=2)
    return old, new


def test_the_queue_lists_open_appeals_oldest_first_and_flags_the_overdue(appeals, officer):
    old, new = appeals
    html = signed_in(officer).get(reverse("health:appeal-list")).content.decode()
    assert html.index(str(old.pk)) < html.index(str(new.pk))
    assert "已等待 30 小时" in html and "已等待 2 小时" in html
    assert html.count('data-overdue="yes"') == 1
    old_row = html.split(str(old.pk), 1)[1].split("</a>", 1)[0]
    assert "list-group-item-danger" in html.split(str(old.pk), 1)[0][-200:]
    assert "text-bg-danger" in old_row and "核酸检测结果" in old_row and "阳性" in old_row


def test_the_officers_home_page_warns_of_overdue_appeals(appeals, officer, commander):
    html = signed_in(officer).get(reverse("core:home")).content.decode()
    assert "1 条申诉已超过 24 小时未处理" in html
    assert f'href="{reverse("health:appeal-list")}"' in html
    # The commander starts at the command screen, whose to-do carries the same warning.
    todo = signed_in(commander).get(reverse("command:todo"))
    assert "超过 24 小时" in todo.content.decode()


def test_no_warning_without_overdue_appeals(city, officer, worker_a):
    _file(worker_a, city.person_a, _positive(officer, city.person_a), hours_ago=3)
    assert "超过 24 小时" not in signed_in(officer).get(reverse("core:home")).content.decode()


def test_workers_see_only_their_grids_appeals(appeals, worker_a):
    old, new = appeals
    client = signed_in(worker_a)
    html = client.get(reverse("health:appeal-list")).content.decode()
    assert str(old.pk) in html and str(new.pk) not in html
    assert client.get(reverse("health:appeal-detail", args=[new.pk])).status_code == 404
    page = client.get(reverse("health:appeal-detail", args=[old.pk])).content.decode()
    assert 'name="verdict"' not in page
    assert client.post(reverse("health:appeal-detail", args=[old.pk]), {}).status_code == 403


def test_who_recorded_the_fact_is_told_to_leave_it_to_another_officer(appeals, officer):
    old, _new = appeals
    client = signed_in(officer)
    page = client.get(reverse("health:appeal-detail", args=[old.pk])).content.decode()
    assert "须由其他干部处理这条申诉" in page and 'name="verdict"' not in page
    response = client.post(
        reverse("health:appeal-detail", args=[old.pk]), {"verdict": "accept", "note": "核实无误"}
    )
    assert response.status_code == 200
    assert "该事实由您记录，须由其他干部处理申诉" in response.content.decode()
    old.refresh_from_db()
    assert old.state == "open"


def test_accepting_an_appeal_retracts_the_fact(appeals, city, second_officer):
    old, _new = appeals
    client = signed_in(second_officer)
    url = reverse("health:appeal-detail", args=[old.pk])
    page = client.get(url).content.decode()
    assert 'value="accept"' in page and 'value="reject"' in page
    missing = client.post(url, {"verdict": "accept", "note": " "})
    assert "请写明处理意见" in missing.context["form"].errors["note"][0]
    response = client.post(url, {"verdict": "accept", "note": "行程记录证明当天不在本市"})
    assert response.status_code == 302 and response.url == reverse("health:appeal-list")
    old.refresh_from_db()
    assert old.state == "accepted" and old.decided_by == second_officer
    assert old.retraction.retracts == old.fact
    assert Status.objects.get(person=city.person_a).colour == "green"
    accepted = client.get(reverse("health:appeal-list"), {"state": "accepted"}).content.decode()
    assert str(old.pk) in accepted and "已采纳" in accepted
    assert str(old.pk) not in client.get(reverse("health:appeal-list")).content.decode()
    decided = client.post(url, {"verdict": "reject", "note": "再次处理"}, follow=True)
    assert "该申诉已经处理" in decided.content.decode()


def test_rejecting_keeps_the_fact(appeals, city, second_officer):
    old, _new = appeals
    signed_in(second_officer).post(
        reverse("health:appeal-detail", args=[old.pk]),
        {"verdict": "reject", "note": "采样记录与检测报告一致"},
    )
    old.refresh_from_db()
    assert old.state == "rejected" and old.retraction is None
    assert Status.objects.get(person=city.person_a).colour == "red"


def test_the_queue_filters_by_region(appeals, city, officer):
    old, new = appeals
    client = signed_in(officer)
    html = client.get(reverse("health:appeal-list"), {"region": city.grid_b.code}).content.decode()
    assert str(new.pk) in html and str(old.pk) not in html
    unknown = client.get(reverse("health:appeal-list"), {"region": "359999"})
    assert "没有找到该区域" in unknown.content.decode()
    assert str(old.pk) not in unknown.content.decode()


def test_an_empty_queue_says_so(city, officer):
    html = signed_in(officer).get(reverse("health:appeal-list")).content.decode()
    assert "没有待处理的申诉" in html
