"""The figures per region path against a hand-counted city."""

import datetime

from django.utils import timezone

from fangyi.enterprises import figures, services
from fangyi.health import services as health
from tests.enterprises.support import employ, enterprise_with_account, negative_test
from tests.factories import HouseholdFactory, PersonFactory


def test_figures_by_region(city, officer):
    # Grid A: a reopened enterprise with three confirmed employees and one pending.
    plant, account = enterprise_with_account(officer, city.grid_a, serial=1)
    services.approve(
        actor=officer,
        application=services.apply_to_reopen(
            actor=account,
            enterprise=plant,
            commitments=[c.code for c in services.active_commitments()],
            staff_count=4,
        ),
    )
    able = city.person_a
    stale = PersonFactory(household=HouseholdFactory(building=city.building_a, room="102"))
    zoned = city.person_b
    pending = PersonFactory(household=HouseholdFactory(building=city.building_a, room="103"))
    for person in (able, stale, zoned):
        employ(account, plant, person)
    employ(account, plant, pending, confirm=False)
    recent = timezone.now() - datetime.timedelta(hours=3)
    negative_test(officer, able, recent)
    negative_test(officer, zoned, recent)
    negative_test(officer, pending, recent)
    negative_test(officer, stale, timezone.now() - datetime.timedelta(hours=60))
    health.draw_zone(actor=officer, kind="high", regions=[city.grid_b], reason="密接")
    # Grid B: one registered, not reopened.
    enterprise_with_account(officer, city.grid_b, serial=2)

    counted = figures.by_region()

    assert counted[city.grid_a.path] == figures.Figures(1, 1, 3, 1)
    assert counted[city.grid_b.path] == figures.Figures(1, 0, 0, 0)
    assert counted[city.street.path] == figures.Figures(2, 1, 3, 1)
    assert counted[city.city.path] == counted[city.street.path]
    assert figures.for_region("9999") == figures.Figures()
