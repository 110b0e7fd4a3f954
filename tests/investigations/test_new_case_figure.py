import datetime

from django.utils import timezone

from fangyi.health import services as health
from fangyi.health.models import Fact
from fangyi.investigations import chains

from .support import make_case, resident


def figure(user):
    return chains.new_cases(Fact.objects.restrict(user, "view"), timezone.localdate())


def early_today():
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return max(timezone.now() - datetime.timedelta(minutes=5), midnight)


def test_cases_under_quarantine_or_in_a_sealed_zone_are_controlled_the_rest_community(
    city, tracer, superuser
):
    quarantined = resident(city.building_a)
    health.record_fact(
        actor=superuser,
        source="manual",
        person=quarantined,
        kind="quarantine_start",
        variant="centralised",
        occurred_at=timezone.now() - datetime.timedelta(days=3),
    )
    released = resident(city.building_a)
    for kind, days in (("quarantine_start", 9), ("quarantine_end", 2)):
        health.record_fact(
            actor=superuser,
            source="manual",
            person=released,
            kind=kind,
            variant="centralised",
            occurred_at=timezone.now() - datetime.timedelta(days=days),
        )
    sealed = resident(city.building_b)
    health.draw_zone(
        actor=superuser,
        kind="high",
        regions=[city.building_b],
        reason="阳性",
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    for person in (quarantined, released, sealed, city.person_a):
        make_case(person, actor=superuser, at=early_today())
    found = figure(tracer)
    assert found.total == 4
    assert found.under_quarantine == 1
    assert found.in_sealed_zone == 1
    assert (found.controlled, found.community) == (2, 2)


def test_a_case_known_before_today_is_not_new(city, tracer, superuser):
    make_case(city.person_a, actor=superuser, at=timezone.now() - datetime.timedelta(days=3))
    make_case(city.person_a, actor=superuser, kind="case_confirmed", at=early_today())
    assert figure(tracer).total == 0


def test_the_figure_counts_in_the_callers_scope(city, superuser):
    from tests.factories import staff

    make_case(city.person_b, actor=superuser, at=early_today())
    grid_a = staff("investigator", city.grid_a, username="grid_a_tracer")
    assert figure(grid_a).total == 0


def test_a_running_isolation_order_counts_as_under_quarantine(city, tracer, superuser):
    from fangyi.health.models import Policy
    from fangyi.isolation.models import Order, OrderState

    Order.objects.create(
        person=city.person_a,
        household=city.household_a,
        region_path=city.person_a.region_path,
        kind="home",
        reason="close_contact",
        policy=Policy.objects.get(in_force=True),
        term_days=7,
        state=OrderState.ACTIVE,
        started_at=timezone.now() - datetime.timedelta(days=2),
    )
    make_case(city.person_a, actor=superuser, at=early_today())
    found = figure(tracer)
    assert (found.under_quarantine, found.community) == (1, 0)
