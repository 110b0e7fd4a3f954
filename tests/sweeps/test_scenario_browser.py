"""Issue 19's scenario, in one test, in Chromium: an officer starts a sweep of a grid; a worker
opens the sheet at 360 px, the test cuts the network, the worker records three households (one
confirmed, one newcomer back from a high-risk area, one door not answered); the network returns
and the visits upload; the newcomer is in the registry, yellow or red by the plan, and proposed
for an order; coverage shows 2 of 4 visited; a notice to the grid appears on a resident's
portal and its count goes up.

The leader's split of buildings is a service call here (its page has tests of its own), and so
are the checks of what the database holds; everything the issue has people do is done on the
pages. What the notices' own browser test adds (a confirmation, the other grid seeing nothing,
a household told in person) stays there."""

import datetime

import pytest

from fangyi.health.models import Status
from fangyi.isolation.models import Order, OrderState
from fangyi.notices.models import Notice, NoticeRead
from fangyi.people.models import Person
from fangyi.regions.services import refresh_counts
from fangyi.sweeps import services
from fangyi.sweeps.models import Sweep, Visit
from tests.browser import PHONE, resident_session_cookie, session_cookie
from tests.factories import HouseholdFactory, PersonFactory, resident_id
from tests.notices.support import publish_on_page, reach_of, resident_opens
from tests.sweeps.support import read_coverage, record_offline, start_on_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEWCOMER_ID = resident_id(datetime.date(1992, 8, 9))
NOTICE = "本周六入户排查结果说明"


def test_a_sweep_with_the_network_cut_then_a_notice_to_the_grid(
    in_browser, live_server, city, officer, leader_a, worker_a
):
    newcomer_household = HouseholdFactory(building=city.building_a, room="102")
    PersonFactory(household=newcomer_household)
    absent = HouseholdFactory(building=city.building_a, room="103")
    HouseholdFactory(building=city.building_a, room="104")
    officer_cookie = session_cookie(officer, live_server)

    # The officer starts a sweep of grid A.
    started = in_browser(start_on_page, live_server.url, officer_cookie, city.grid_a)
    assert started["width"] <= PHONE["width"]
    sweep = Sweep.objects.get()
    assert sweep.household_count == 4
    services.assign_building(
        actor=leader_a, sweep=sweep, building=city.building_a, assignee=worker_a
    )

    # The worker records three households with the network cut, then uploads.
    shown = in_browser(
        record_offline,
        live_server.url,
        session_cookie(worker_a, live_server),
        sweep.pk,
        city.person_a,
        newcomer_household,
        NEWCOMER_ID,
        absent,
    )
    assert shown["stored"] == "4"
    assert shown["offline"]["queued"] == "3"
    assert "离线" in shown["offline"]["status"]
    assert shown["width"] <= PHONE["width"]
    assert Visit.objects.filter(sweep=sweep).count() == 3

    # The newcomer: registered, coloured by the plan, proposed for an order.
    newcomer = Person.objects.get(id_number=NEWCOMER_ID)
    assert newcomer.household_id == newcomer_household.pk
    assert Status.objects.get(person=newcomer).colour in ("yellow", "red")
    assert Order.objects.get(person=newcomer).state == OrderState.TO_PLACE

    # Coverage: 2 of the grid's 4 households visited.
    assert in_browser(read_coverage, started["url"], officer_cookie).startswith("2 / 4")

    # A notice to the grid reaches a resident's portal, and its count goes up.
    refresh_counts()
    published = in_browser(
        publish_on_page,
        live_server.url,
        officer_cookie,
        NOTICE,
        "请未在家的住户与网格员联系补登。",
        city.grid_a.code,
    )
    assert published["state"] == "已发布"
    assert "0 / 4" in published["reach"]
    portal = in_browser(
        resident_opens,
        live_server.url,
        resident_session_cookie(city.person_a, live_server),
        NOTICE,
    )
    assert NOTICE in portal["block"] and "请确认" in portal["block"]
    assert portal["width"] <= PHONE["width"]
    assert NoticeRead.objects.get(notice=Notice.objects.get()).person_id == city.person_a.pk
    assert "1 / 4" in in_browser(reach_of, published["url"], officer_cookie)["total"]
