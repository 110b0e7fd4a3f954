"""A unit's inbox: its open tickets only, the overdue first and then by time left, with
filters and pages; the overdue board by unit; the callback queue; the home cards."""

import datetime

import pytest

from fangyi.hotline import home
from fangyi.hotline.area import OPERATOR
from fangyi.hotline.models import Escalation, State
from tests.factories import staff
from tests.support import signed_in

from .pages_support import community_team, pending_callback, ticket, unit

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


def positions(html: str, *texts: str) -> list[int]:
    return [html.index(text) for text in texts]


def test_the_inbox_shows_the_units_open_tickets_overdue_first_then_by_time_left(
    city, worker_a, worker_b
):
    team = community_team(city, worker_a)
    other = unit(city.street, code="street-team", name="东街街道专班", kind="street")
    later = ticket(region=city.building_a, handled_by=team, due_in=30 * HOUR)
    late = ticket(region=city.building_a, handled_by=team, due_in=-2 * HOUR)
    sooner = ticket(region=city.building_a, handled_by=team, due_in=2 * HOUR)
    elsewhere = ticket(region=city.building_a, handled_by=other)
    done = ticket(region=city.building_a, handled_by=team, state=State.CLOSED)
    html = signed_in(worker_a).get("/hotline/").content.decode()
    assert positions(html, late.number, sooner.number, later.number) == sorted(
        positions(html, late.number, sooner.number, later.number)
    )
    assert elsewhere.number not in html and done.number not in html
    assert 'data-clock="red"' in html and "超时 2 小时" in html
    assert "没有未办结的工单。" in signed_in(worker_b).get("/hotline/").content.decode()


def test_the_inbox_filters_by_state_urgency_and_lateness_and_pages_by_fifty(city, worker_a):
    team = community_team(city, worker_a)
    accepted = ticket(region=city.building_a, handled_by=team, state=State.ACCEPTED)
    late = ticket(region=city.building_a, handled_by=team, due_in=-HOUR)
    browser = signed_in(worker_a)
    only_accepted = browser.get("/hotline/", {"state": "accepted"}).content.decode()
    assert accepted.number in only_accepted and late.number not in only_accepted
    only_late = browser.get("/hotline/", {"overdue": "1"}).content.decode()
    assert late.number in only_late and accepted.number not in only_late
    assert late.number not in browser.get("/hotline/", {"urgency": "urgent"}).content.decode()
    for hours in range(50):
        ticket(region=city.building_a, handled_by=team, due_in=(hours + 3) * HOUR)
    first = browser.get("/hotline/").content.decode()
    assert first.count('id="ticket-') == 50 and "cursor=" in first
    cursor = first.split("cursor=", 1)[1].split('"', 1)[0]
    second = browser.get(f"/hotline/?cursor={cursor}").content.decode()
    assert second.count('id="ticket-') == 2


def test_the_overdue_board_sums_late_tickets_by_unit_in_the_commanders_scope(
    city, commander, worker_a
):
    team = community_team(city, worker_a)
    other = unit(city.street, code="street-team", name="东街街道专班", kind="street")
    late = ticket(region=city.building_a, handled_by=team, due_in=-HOUR)
    warned = ticket(
        region=city.building_b, handled_by=other, due_in=HOUR, escalation=Escalation.WARNED
    )
    calm = ticket(region=city.building_a, handled_by=team, due_in=9 * HOUR)
    html = signed_in(commander).get("/hotline/overdue/").content.decode()
    assert late.number in html and warned.number in html and calm.number not in html
    assert html.index("三坊社区专班") < html.index("东街街道专班")
    assert home.overdue(commander).count == 1


def test_the_callback_queue_and_the_home_cards(city, worker_a):
    operator = staff(OPERATOR, city.city, username="operator")
    team = community_team(city, worker_a)
    resolved = ticket(region=city.building_a, handled_by=team, state=State.RESOLVED)
    pending_callback(resolved)
    ticket(region=city.building_a, handled_by=team, due_in=-HOUR)
    queue = signed_in(operator).get("/hotline/callbacks/").content.decode()
    assert resolved.number in queue
    assert home.callbacks_due(operator).count == 1
    waiting = home.waiting_for_my_units(worker_a)
    assert waiting.count == 1 and "超时 1 件" in waiting.note
    assert home.waiting_for_my_units(operator).count == 0
    page = signed_in(operator).get("/").content.decode()
    assert "待回访" in page
