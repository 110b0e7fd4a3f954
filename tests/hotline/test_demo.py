"""`fangyi seed --demo-staff` gives the hotline units, rules, a week of tickets in every
state and each day's problem list, once: every page has something to show."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from fangyi.hotline.models import Escalation, Outcome, ProblemItem, ProblemKind, ProblemList, Ticket
from fangyi.hotline.problems.services import beijing_today as beijing_day
from fangyi.hotline.problems.services import list_regions
from tests.support import signed_in


def seed() -> dict:
    out = io.StringIO()
    call_command("seed", "--residents", "600", "--seed", "5", "--demo-staff", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_the_demo_has_a_week_of_tickets_in_every_state_and_pages_to_show_them():
    from fangyi.accounts.models import User

    summary = seed()["hotline"]
    assert all(count >= 1 for count in summary["tickets"].values()), summary["tickets"]
    assert summary["units"] >= 3 and summary["rules"] == 3
    assert summary["overdue"] >= 1 and summary["callbacks_pending"] >= 1
    assert Ticket.objects.filter(escalation=Escalation.OVERDUE).exists()
    assert Ticket.objects.filter(reopen_count=1).exists()
    assert seed()["hotline"] == summary
    pages = {
        "grid_worker": ["/hotline/"],
        "commander": ["/hotline/overdue/"],
        "operator": ["/hotline/callbacks/", "/hotline/intake/"],
    }
    for username, urls in pages.items():
        browser = signed_in(User.objects.get(username=username))
        for url in urls:
            html = browser.get(url).content.decode()
            assert "12345-" in html or url.endswith("intake/"), (username, url)


@pytest.mark.django_db
def test_the_demo_has_one_problem_list_a_day_for_the_week_answered_and_closed_but_today():
    from fangyi.accounts.models import User

    summary = seed()["hotline"]
    today = beijing_day()
    week = {today - datetime.timedelta(days=offset) for offset in range(7)}
    regions = list(list_regions())
    assert len(regions) >= 2
    for region in regions:
        days = list(ProblemList.objects.filter(region=region).values_list("day", flat=True))
        assert sorted(days) == sorted(week), region.name
    assert summary["problem_lists"] == 7 * len(regions)
    older = ProblemItem.objects.filter(problem_list__day__lt=today)
    # The lists before today's are closed, every item answered; a few with the unit's note.
    assert not ProblemList.objects.filter(day__lt=today, closed_at__isnull=True).exists()
    assert not older.filter(outcome=Outcome.PENDING).exists()
    assert older.filter(outcome=Outcome.FIXED).exclude(note="").count() >= 6
    assert older.filter(outcome=Outcome.NOT_FIXED).exclude(note="").exists()
    # Answered on the list's own day, as the unit would have that afternoon.
    for item in older.exclude(note=""):
        assert beijing_day(item.outcome_at) == item.problem_list.day, item.title
    # Today's list is open, its items waiting; the item put on by hand is to be fixed today.
    todays = ProblemList.objects.filter(day=today)
    assert not todays.exclude(closed_at__isnull=True).exists()
    manual = ProblemItem.objects.get(problem_list__in=todays, kind=ProblemKind.MANUAL)
    assert manual.fix_today and manual.outcome == Outcome.PENDING
    # The lists count the demo's tickets: a place with several calls on most days.
    assert ProblemItem.objects.filter(kind=ProblemKind.PLACE).count() >= 3
    answers = list(ProblemItem.objects.values_list("pk", "outcome", "note"))
    assert seed()["hotline"] == summary
    assert list(ProblemItem.objects.values_list("pk", "outcome", "note")) == answers
    commander = signed_in(User.objects.get(username="commander"))
    html = commander.get("/hotline/problems/").content.decode()
    assert today.isoformat() in html
