"""The phone sheet when the server refuses one visit of a batch, in Chromium at 360 px: the
worker queues two visits with the network cut; meanwhile another visit of the sweep moves one
of the confirmed members out of the household, so the server refuses that visit. When the
network returns the other visit is uploaded, the refused one is set aside on the phone with
the server's reason (it survives the page opened again and is not sent again), and the worker
removes it."""

import pytest

from fangyi.people.models import Person
from fangyi.sweeps import services
from fangyi.sweeps.models import Visit
from tests.browser import PHONE, session_cookie
from tests.factories import HouseholdFactory
from tests.sweeps.support import queue_two_offline, start, upload_with_one_refused, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_visit_is_set_aside_and_the_other_uploads(
    in_browser, live_server, city, officer, leader_a, worker_a
):
    absent = HouseholdFactory(building=city.building_a, room="103")
    elsewhere = HouseholdFactory(building=city.building_a, room="104")
    sweep = start(officer, city.grid_a)
    services.assign_building(
        actor=leader_a, sweep=sweep, building=city.building_a, assignee=worker_a
    )
    page = in_browser(
        queue_two_offline,
        live_server.url,
        session_cookie(worker_a, live_server),
        sweep.pk,
        city.person_a,
        absent,
    )

    # While the phone is offline, the grid leader finds person A living in room 104.
    person = city.person_a
    services.upload_visits(
        actor=leader_a,
        sweep=sweep,
        items=[
            visit(
                elsewhere,
                answers={"newcomers": [{"name": person.name, "id_number": person.id_number}]},
            )
        ],
    )
    assert Person.objects.get(pk=person.pk).household_id == elsewhere.pk

    shown = in_browser(upload_with_one_refused, page, city.household_a)
    assert shown["counts"] == ["0", "1"]
    assert shown["address"] == city.household_a.short_address
    assert shown["reasons"] == ["台账成员 王*明：该居民不在此户的台账上。"]
    assert "未被接收" in shown["household"]
    assert shown["width"] <= PHONE["width"]
    assert shown["after"] == {"set_aside": "0", "listed": 0, "stored": 0}
    # The door not answered was uploaded; the refused visit never was, nor sent again.
    uploaded = Visit.objects.filter(sweep=sweep, worker_id=worker_a.pk)
    assert [(v.door.household_id, v.outcome) for v in uploaded] == [(absent.pk, "not_answered")]
