"""The isolation notice of an open order: an A4 page saying who, which kind, why, where, from
and until when, the test days, the rules and whom to call, with a code that verifies."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from fangyi.core.models import AccessEvent
from fangyi.isolation.documents import services
from fangyi.isolation.models import OrderState

from . import documents_support as support
from .documents_support import read, verified


def test_the_notice_of_an_active_order_at_a_site(city, officer):
    hotel = support.site(city.street)
    order = support.order(
        city.person_a, site=hotel, room=support.room(hotel, "305"), created_by=officer
    )
    printed = services.print_notice(actor=officer, order=order)

    pages, codes = read(printed.pdf)
    assert len(pages) == 1
    text = pages[0]
    start = timezone.localtime(order.started_at).date()
    end = timezone.localtime(order.planned_end_at).date()
    for expected in (
        "隔离告知书",
        "王*明",
        city.person_a.masked_id_number,
        "集中隔离",
        "密切接触者",
        "东街隔离酒店 305",
        f"{start:%Y-%m-%d}",
        f"{end:%Y-%m-%d}",
        f"第 3 天（{start + datetime.timedelta(days=2):%m-%d}）",
        "0591-87654321",
        "不得离开房间",
    ):
        assert expected in text, expected
    assert city.person_a.name not in text and city.person_a.id_number not in text

    assert codes == printed.codes
    claims = verified(codes[0])
    assert claims["kind"] == "notice"
    assert (claims["name"], claims["id_tail"]) == ("王*明", city.person_a.id_number[-4:])
    assert (claims["order_kind"], claims["place"]) == ("centralised", "东街隔离酒店")
    assert (claims["start"], claims["end"]) == (start.isoformat(), end.isoformat())


def test_a_home_order_not_yet_placed_runs_from_the_day_it_was_made(city, officer):
    officer.phone = "13700000009"
    officer.save()
    # Made three hours ago: a notice made a week ago would have lived its term.
    order = support.order(
        city.person_a,
        state=OrderState.TO_PLACE,
        kind="home",
        created_by=officer,
        started_at=timezone.now(),
    )
    printed = services.print_notice(actor=officer, order=order)
    (text,), (code,) = read(printed.pdf)
    made = timezone.localtime(order.created_at).date()
    assert "居家隔离" in text and "居家（" in text and "1号楼" in text
    assert "以实际到达隔离地点之日为准" in text
    assert "13700000009" in text
    claims = verified(code)
    assert claims["place"] == "home"
    assert claims["start"] == made.isoformat()
    assert claims["end"] == (made + datetime.timedelta(days=7)).isoformat()


@pytest.mark.parametrize("state", [OrderState.RELEASED, OrderState.HOSPITAL, OrderState.CANCELLED])
def test_an_ended_order_has_no_notice(city, officer, state):
    order = support.order(city.person_a, state=state)
    with pytest.raises(ValidationError) as refused:
        services.print_notice(actor=officer, order=order)
    assert "不再打印隔离告知书" in refused.value.message_dict["order"][0]
    assert not AccessEvent.objects.exists()


def test_printing_is_recorded_and_a_reprint_is_the_same_document(city, worker_a):
    hotel = support.site(city.street)
    order = support.order(city.person_a, site=hotel)
    first = services.print_notice(actor=worker_a, order=order)
    second = services.print_notice(actor=worker_a, order=order)
    assert first.codes == second.codes
    assert read(first.pdf)[0] == read(second.pdf)[0]
    events = AccessEvent.objects.filter(object_id=str(order.pk)).order_by("time")
    assert [(event.kind, event.reason, event.actor_name) for event in events] == [
        (AccessEvent.EXPORT, "打印隔离告知书", "worker_a")
    ] * 2


def test_only_who_may_view_the_order_prints_it(city, worker_b, nobody):
    order = support.order(city.person_a)
    assert not services.orders_for(worker_b).filter(pk=order.pk).exists()
    for actor in (worker_b, nobody):
        with pytest.raises(PermissionDenied):
            services.print_notice(actor=actor, order=order)
    assert not AccessEvent.objects.exists()


def test_site_staff_print_the_notices_of_their_street(city):
    hotel = support.site(city.street)
    site_staff = support.site_staff(city.street)
    order = support.order(city.person_b, site=hotel)
    assert services.orders_for(site_staff).filter(pk=order.pk).exists()
    assert services.print_notice(actor=site_staff, order=order).pdf


def test_the_notice_in_english(city, officer):
    hotel = support.site(city.street)
    order = support.order(city.person_a, site=hotel)
    with translation.override("en"):
        (text,), _codes = read(services.print_notice(actor=officer, order=order).pdf)
    for expected in ("Isolation notice", "Place of isolation", "Test days", "day 3", "Stay alone"):
        assert expected in text, expected
