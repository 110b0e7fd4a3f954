"""Psychological-help tickets reach only the operators and the unit handling them: never in
another staff member's inbox, overdue board, callback queue or caller lookup."""

import datetime

import pytest

from fangyi.hotline.area import OPERATOR
from fangyi.hotline.models import State
from tests.factories import staff
from tests.support import signed_in

from .pages_support import community_team, pending_callback, ticket, unit

pytestmark = pytest.mark.django_db
LATE = -datetime.timedelta(hours=1)


def test_psychological_tickets_stay_with_the_operators_and_their_unit(
    city, commander, officer, worker_a, leader_a
):
    operator = staff(OPERATOR, city.city, username="operator")
    admin = staff("admin", city.city, username="city_admin")
    counsellors = unit(
        city.district,
        code="counsellors",
        name="心理援助热线",
        kind="department",
        members=[leader_a],
    )
    community_team(city, worker_a, officer)
    confidential = ticket(
        region=city.building_a,
        category="psychological",
        handled_by=counsellors,
        due_in=LATE,
        caller=city.person_a,
        caller_phone=city.person_a.phone,
        description="封控在家情绪低落，想找人聊聊。",
    )
    resolved = ticket(
        region=city.building_a,
        category="psychological",
        handled_by=counsellors,
        state=State.RESOLVED,
    )
    pending_callback(resolved)
    lists = ["/hotline/", "/hotline/overdue/", "/hotline/callbacks/"]
    lookup = f"/hotline/caller/?number={city.person_a.phone}"
    for user in (commander, admin, officer, worker_a):
        browser = signed_in(user)
        for url in lists:
            html = browser.get(url).content.decode()
            assert confidential.number not in html and resolved.number not in html, (user, url)
        assert browser.get(f"/hotline/{confidential.pk}/").status_code == 404
    assert confidential.number not in signed_in(worker_a).get(lookup).content.decode()
    member = signed_in(leader_a)
    assert confidential.number in member.get("/hotline/").content.decode()
    assert member.get(f"/hotline/{confidential.pk}/").status_code == 200
    desk = signed_in(operator)
    assert confidential.number in desk.get("/hotline/overdue/").content.decode()
    assert resolved.number in desk.get("/hotline/callbacks/").content.decode()
    assert confidential.number in desk.get(lookup).content.decode()
