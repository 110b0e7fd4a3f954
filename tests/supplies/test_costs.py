import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangyi.supplies import services
from tests.support import client_for

from .support import package_request, vegetables

pytestmark = pytest.mark.django_db


def test_the_amount_is_items_times_prices_or_entered(city, officer, worker_a):
    item = vegetables(officer, city.community, price=Decimal("39.90"))
    made = package_request(worker_a, city.household_a, item, quantity=2)
    assert made.amount == Decimal("79.80") and not made.amount_entered
    repair = services.submit(
        actor=worker_a,
        household=city.household_a,
        draft=services.Draft(kind="repair", notes="暖气不热", amount=Decimal("50.00")),
    )
    assert repair.amount == Decimal("50.00") and repair.amount_entered
    with pytest.raises(ValidationError):
        services.set_cost(actor=worker_a, request=made, payment="paid", amount=Decimal("-1"))


def test_totals_per_community_per_day_by_payment_without_the_cancelled(city, officer, worker_a):
    item = vegetables(officer, city.community, price=Decimal("10.00"))
    paid = package_request(worker_a, city.household_a, item, quantity=1)
    services.set_cost(actor=worker_a, request=paid, payment="paid")
    relief = package_request(worker_a, city.household_a, item, quantity=2)
    services.set_cost(actor=worker_a, request=relief, payment="subsidised")
    package_request(worker_a, city.household_a, item, quantity=3)
    gone = package_request(worker_a, city.household_a, item, quantity=4)
    services.transition(actor=worker_a, request=gone, to_state="cancelled", reason="重复")
    today = timezone.localdate()
    (total,) = services.daily_totals(officer, since=today, until=today)
    assert total.community == city.community.path
    assert total.community_name == city.community.name
    assert total.day == today and total.requests == 3
    assert (total.amount, total.paid, total.subsidised, total.to_pay) == (
        Decimal("60.00"),
        Decimal("10.00"),
        Decimal("20.00"),
        Decimal("30.00"),
    )
    yesterday = today - datetime.timedelta(days=1)
    assert services.daily_totals(officer, since=yesterday, until=yesterday) == []
    rows = client_for(officer).get("/api/v1/supplies/totals").json()
    assert rows[0]["amount"] in ("60.00", 60.0, "60") and rows[0]["requests"] == 3


def test_a_grid_worker_of_another_grid_counts_nothing(city, officer, worker_a):
    from tests.factories import staff

    item = vegetables(officer, city.community)
    package_request(worker_a, city.household_a, item)
    today = timezone.localdate()
    other = staff("grid_worker", city.grid_b)
    assert services.daily_totals(other, since=today, until=today) == []


def test_the_costs_ledger_exports_the_totals(city, officer, worker_a):
    from fangyi.supplies.ledger import CostsLedger

    item = vegetables(officer, city.community, price=Decimal("10.00"))
    package_request(worker_a, city.household_a, item, quantity=2)
    rows = list(
        CostsLedger(actor=officer).export_rows(region=city.street, reveal=False, filters={})
    )
    assert rows == [
        [
            timezone.localdate().isoformat(),
            city.community.path,
            city.community.name,
            1,
            "20.00",
            "0.00",
            "20.00",
            "0.00",
        ]
    ]
