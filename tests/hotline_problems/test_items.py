"""Items put on a list by hand, and each item's outcome written by its unit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.hotline.models import Outcome, ProblemKind
from fangyi.hotline.problems import services
from tests.factories import staff
from tests.hotline_open311.support import NOON, unit_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(city, commander):
    return services.make_list(actor=commander, region=city.district, now=NOON)


def test_a_problem_put_on_by_hand_has_a_unit_and_may_be_fixed_today(city, commander, today):
    unit = unit_of(city.district)
    item = services.add_item(
        actor=commander, problem_list=today, title="三坊社区药店缺退烧药", unit=unit, fix_today=True
    )
    assert (item.kind, item.unit, item.fix_today, item.outcome) == (
        ProblemKind.MANUAL,
        unit,
        True,
        Outcome.PENDING,
    )
    with pytest.raises(ValidationError) as refused:
        services.add_item(actor=commander, problem_list=today, title=" ", unit=unit)
    assert "title" in refused.value.message_dict
    elsewhere = unit_of(city.city, code="fuzhou-water")
    with pytest.raises(ValidationError) as refused:
        services.add_item(actor=commander, problem_list=today, title="x", unit=elsewhere)
    assert "unit" in refused.value.message_dict


def test_the_units_member_answers_and_not_fixed_needs_a_note(city, commander, today, worker_a):
    member = staff("grid_worker", city.grid_b, username="member")
    unit = unit_of(city.district, members=[member])
    item = services.add_item(actor=commander, problem_list=today, title="缺药", unit=unit)
    with pytest.raises(PermissionDenied):
        services.set_outcome(actor=worker_a, item=item, outcome=Outcome.FIXED, note="")
    with pytest.raises(ValidationError) as refused:
        services.set_outcome(actor=member, item=item, outcome=Outcome.NOT_FIXED, note="")
    assert "note" in refused.value.message_dict
    done = services.set_outcome(actor=member, item=item, outcome=Outcome.FIXED, note="已配送")
    assert (done.outcome, done.note, done.outcome_by) == (Outcome.FIXED, "已配送", member)
    assert services.items_for(member).filter(pk=item.pk).exists()
    assert not services.items_for(worker_a).filter(pk=item.pk).exists()


def test_a_closed_list_takes_nothing_more(city, commander, today):
    unit = unit_of(city.district)
    item = services.add_item(actor=commander, problem_list=today, title="缺药", unit=unit)
    services.close_before(day=today.day.replace(day=today.day.day + 1))
    with pytest.raises(ValidationError):
        services.set_outcome(actor=commander, item=item, outcome=Outcome.FIXED, note="")
    today.refresh_from_db()
    with pytest.raises(ValidationError):
        services.add_item(actor=commander, problem_list=today, title="缺药", unit=unit)
