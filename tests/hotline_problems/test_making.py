"""Making the day's list: what it finds in the tickets since yesterday, what it leaves out,
made again without doubling, closed the next morning, and made by the morning job at its
hour."""

import datetime

import pytest
from django.utils import timezone

from fangyi.hotline.models import (
    Callback,
    CallbackState,
    Outcome,
    ProblemItem,
    ProblemKind,
    ProblemList,
    Satisfaction,
    State,
)
from fangyi.hotline.problems import services
from tests.hotline_open311.support import NOON, phone_ticket, unit_of

pytestmark = pytest.mark.django_db

MORNING = NOON.replace(hour=8)
YESTERDAY = NOON - datetime.timedelta(days=1)


@pytest.fixture
def calls(city):
    unit = unit_of(city.district)
    phone_ticket(city.building_a, received=YESTERDAY)
    phone_ticket(city.building_b, received=YESTERDAY + datetime.timedelta(hours=1))
    phone_ticket(
        city.building_a, category="utilities", caller_phone="13700000007", received=YESTERDAY
    )
    late = phone_ticket(
        city.building_a,
        category="utilities",
        caller_phone="13700000007",
        received=YESTERDAY - datetime.timedelta(days=2),
        state=State.ACCEPTED,
        unit=unit,
        due=datetime.timedelta(days=1),
    )
    for _call in range(3):
        phone_ticket(
            city.building_b,
            category="psychological",
            received=YESTERDAY,
            caller_phone="13600000006",
        )
    # Before yesterday: counted in no figure of today.
    phone_ticket(
        city.building_a, category="testing", received=YESTERDAY - datetime.timedelta(days=1)
    )
    phone_ticket(
        city.building_a, category="testing", received=YESTERDAY - datetime.timedelta(days=1)
    )
    resolved = phone_ticket(city.building_a, received=YESTERDAY, state=State.CLOSED, unit=unit)
    Callback.objects.create(
        ticket=resolved,
        about=resolved,
        region_path=resolved.region_path,
        state=CallbackState.DONE,
        result=Satisfaction.NOT_SATISFIED,
        done_at=MORNING - datetime.timedelta(hours=1),
    )
    return unit, late, resolved


def items(problem_list) -> dict[str, list[ProblemItem]]:
    found: dict[str, list[ProblemItem]] = {}
    for item in problem_list.items.order_by("kind", "title"):
        found.setdefault(item.kind, []).append(item)
    return found


def test_the_list_finds_categories_places_late_tickets_repeated_callers_and_discontent(
    city, calls, commander
):
    unit, late, resolved = calls
    problem_list = services.make_list(actor=commander, region=city.district, now=MORNING)
    found = items(problem_list)
    assert [(i.title, i.count) for i in found[ProblemKind.CATEGORY]] == [
        ("食品和生活物资：3 件", 3)
    ]
    assert [(i.key, i.count) for i in found[ProblemKind.PLACE]] == [(city.community.path, 4)]
    assert [(i.ticket, i.unit) for i in found[ProblemKind.OVERDUE]] == [(late, unit)]
    # 138…0001 called three times since yesterday; 137…0007 once (its other call is older).
    assert [i.count for i in found[ProblemKind.REPEATED]] == [3]
    assert "138****0001" in found[ProblemKind.REPEATED][0].title
    assert "13800000001" not in found[ProblemKind.REPEATED][0].title
    assert [i.ticket for i in found[ProblemKind.NOT_SATISFIED]] == [resolved]
    assert problem_list.since == datetime.datetime(2026, 12, 1, tzinfo=MORNING.tzinfo)


def test_psychological_help_counts_nowhere(city, calls, commander):
    problem_list = services.make_list(actor=commander, region=city.district, now=MORNING)
    titles = " ".join(problem_list.items.values_list("title", flat=True))
    assert "心理" not in titles and "13600000006" not in titles and "136****0006" not in titles


def test_made_again_it_updates_in_place_and_keeps_what_was_answered(city, calls, commander):
    unit, late, _resolved = calls
    first = services.make_list(actor=commander, region=city.district, now=MORNING)
    overdue = first.items.get(kind=ProblemKind.OVERDUE)
    services.set_outcome(actor=commander, item=overdue, outcome=Outcome.FIXED, note="已送水")
    late.state = State.RESOLVED
    late.save()
    phone_ticket(city.building_a, received=MORNING - datetime.timedelta(minutes=5))
    again = services.make_list(
        actor=commander, region=city.district, now=MORNING + datetime.timedelta(hours=1)
    )
    assert again.pk == first.pk and ProblemList.objects.count() == 1
    assert again.items.get(kind=ProblemKind.CATEGORY).count == 4
    assert again.items.get(kind=ProblemKind.OVERDUE).outcome == Outcome.FIXED
    assert again.items.filter(kind=ProblemKind.CATEGORY).count() == 1


def test_lists_are_made_for_cities_and_districts_only(city, commander):
    with pytest.raises(Exception, match="市或区县"):
        services.make_list(actor=commander, region=city.street, now=MORNING)


def test_the_morning_job_waits_for_its_hour_then_closes_yesterday_and_makes_today(
    city, calls, settings
):
    settings.FANGYI_HOTLINE_PROBLEM_LIST_HOUR = 7
    assert services.make_due_lists(now=MORNING.replace(hour=6, minute=59)) == 0
    assert services.make_due_lists(now=MORNING) == 2
    assert services.make_due_lists(now=MORNING + datetime.timedelta(minutes=15)) == 0
    assert set(ProblemList.objects.values_list("region", flat=True)) == {
        city.city.pk,
        city.district.pk,
    }
    yesterday = ProblemList.objects.get(region=city.district)
    waiting = yesterday.items.first()
    next_morning = MORNING + datetime.timedelta(days=1)
    assert services.make_due_lists(now=next_morning) == 2
    yesterday.refresh_from_db()
    waiting.refresh_from_db()
    assert yesterday.closed_at == next_morning and waiting.outcome == Outcome.NOT_FIXED
    assert ProblemList.objects.filter(day=next_morning.date()).count() == 2


def test_the_task_runs_the_job(city, settings, monkeypatch):
    from fangyi.hotline.problems.tasks import make_problem_lists_task

    settings.FANGYI_HOTLINE_PROBLEM_LIST_HOUR = 0
    monkeypatch.setattr(timezone, "now", lambda: MORNING)
    assert make_problem_lists_task.call() == 2
    assert ProblemList.objects.filter(day=MORNING.date()).count() == 2
