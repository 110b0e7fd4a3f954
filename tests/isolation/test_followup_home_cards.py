"""An officer's home page shows the open fever alerts and today's missed check-ins of their
regions, counted for real."""

import decimal

from django.urls import reverse

from fangyi.isolation.followup import services
from fangyi.isolation.followup.home import fever_alerts, missed_today
from fangyi.isolation.followup.services import CheckInInput
from fangyi.regions.models import Level
from tests.factories import region, staff
from tests.support import signed_in

from .followup_support import days_ago, running_order


def test_the_officer_sees_open_fever_alerts(city, officer, worker_a):
    order = running_order(city.person_a)
    services.record(
        actor=worker_a,
        items=[CheckInInput(order_id=order.pk, temperature=decimal.Decimal("38.0"))],
        slot=1,
    )

    page = signed_in(officer).get(reverse("core:home")).content.decode()

    assert fever_alerts(officer).count == 1
    assert "发热预警" in page and reverse("followup:alerts") in page


def test_alerts_of_another_street_are_not_counted(city, worker_a):
    order = running_order(city.person_a)
    services.record(
        actor=worker_a, items=[CheckInInput(order_id=order.pk, symptoms=("cough",))], slot=1
    )
    other_street = staff("officer", region("350102002", "南街街道", Level.STREET, city.district))

    assert fever_alerts(other_street).count == 0


def test_missed_check_ins_are_counted_once_the_hour_has_passed(city, officer, settings):
    running_order(city.person_a, started_at=days_ago(2))
    running_order(city.person_b, started_at=days_ago(2))
    settings.FANGYI_CHECK_IN_SLOTS = (0, 0)
    settings.FANGYI_CHECK_IN_MISSED_HOUR = 0

    assert missed_today(officer).count == 2
