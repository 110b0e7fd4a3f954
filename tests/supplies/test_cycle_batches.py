"""At a community's cut-off its accepted requests form a batch: those made before the cut-off,
goods, food and medicine (not help), each in one batch only however often it is formed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.areas import periodic_jobs
from fangyi.core.models import ObjectChange
from fangyi.supplies import services as supplies
from fangyi.supplies.cycle import services
from fangyi.supplies.cycle.models import Batch, BatchEntry
from fangyi.supplies.cycle.tasks import form_due_batches_task
from fangyi.supplies.models import RequestState
from tests.supplies.cycle_support import accepted, cut_off_yesterday, package
from tests.supplies.support import vegetables

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def item(city, officer):
    return vegetables(officer, city.community)


@pytest.fixture
def cut():
    return cut_off_yesterday()


def test_the_cut_off_forms_the_batch_of_what_was_accepted_before_it(city, officer, item, cut):
    early = accepted(officer, city.household_a, package(item), at=cut - 2 * HOUR)
    also = accepted(officer, city.household_b, package(item, 2), at=cut - HOUR)
    late = accepted(officer, city.household_a, package(item), at=cut + HOUR / 2)
    waiting = supplies.submit(
        actor=officer, household=city.household_b, draft=package(item), now=cut - HOUR
    )
    help_trip = accepted(
        officer,
        city.household_b,
        supplies.Draft(kind="hospital_trip", notes="去医院透析"),
        at=cut - HOUR,
    )
    assert services.form_due_batches(now=cut - datetime.timedelta(seconds=1)) == []
    (batch,) = services.form_due_batches(now=cut + HOUR)
    assert batch.region == city.community and batch.day == cut.date()
    assert batch.cut_off_at == cut and batch.requests == 2
    assert batch.deliver_from == cut.replace(hour=8) + datetime.timedelta(days=1)
    members = set(batch.entries.values_list("request_id", flat=True))
    assert members == {early.pk, also.pk}
    for outside in (late, waiting, help_trip):
        assert not BatchEntry.objects.filter(request=outside).exists()
    assert ObjectChange.objects.filter(object_id=str(batch.pk), action="create").count() == 1


def test_forming_again_adds_nothing_twice(city, officer, item, cut):
    first = accepted(officer, city.household_a, package(item), at=cut - HOUR)
    (batch,) = services.form_due_batches(now=cut + HOUR)
    assert services.form_due_batches(now=cut + 2 * HOUR) == []
    again = services.form_batch(actor=officer, region=city.community, now=cut + 2 * HOUR)
    assert again.pk == batch.pk and again.requests == 1
    second = accepted(officer, city.household_b, package(item), at=cut - HOUR / 2)
    assert services.form_due_batches(now=cut + 3 * HOUR) == [batch]
    assert set(batch.entries.values_list("request_id", flat=True)) == {first.pk, second.pk}
    assert BatchEntry.objects.count() == 2 and Batch.objects.count() == 1


def test_what_came_after_the_cut_off_joins_the_next_days_batch(city, officer, item, cut):
    late = accepted(officer, city.household_a, package(item), at=cut + HOUR)
    services.form_due_batches(now=cut + 2 * HOUR)
    assert not BatchEntry.objects.filter(request=late).exists()
    tomorrow = cut + datetime.timedelta(days=1)
    (batch,) = services.form_due_batches(now=tomorrow)
    assert batch.day == tomorrow.date() and batch.entries.get().request_id == late.pk


def test_a_community_sets_its_own_times(city, officer, item, cut):
    services.set_cut_off(
        actor=officer,
        region=city.community,
        needs_by=datetime.time(12, 0),
        orders_by=datetime.time(14, 0),
        deliver_from=datetime.time(7, 0),
    )
    noon = cut.replace(hour=12)
    accepted(officer, city.household_a, package(item), at=noon - HOUR)
    (batch,) = services.form_due_batches(now=noon)
    assert batch.cut_off_at == noon and batch.orders_by == cut.replace(hour=14)
    assert batch.deliver_from.hour == 7


def test_cut_off_times_are_checked_and_kept_to_the_community(city, officer, leader_a):
    with pytest.raises(ValidationError) as caught:
        services.set_cut_off(
            actor=officer,
            region=city.community,
            needs_by=datetime.time(18, 0),
            orders_by=datetime.time(16, 0),
            deliver_from=datetime.time(8, 0),
        )
    assert "orders_by" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.set_cut_off(
            actor=officer,
            region=city.grid_a,
            needs_by=datetime.time(16, 0),
            orders_by=datetime.time(18, 0),
            deliver_from=datetime.time(8, 0),
        )
    with pytest.raises(PermissionDenied):
        services.form_batch(actor=leader_a, region=city.community)


def test_an_officer_closes_early_with_what_is_accepted_so_far(city, officer, item, cut):
    made = accepted(officer, city.household_a, package(item), at=cut - 3 * HOUR)
    batch = services.form_batch(actor=officer, region=city.community, now=cut - 2 * HOUR)
    assert batch.entries.get().request_id == made.pk and batch.formed_by == officer


def test_the_periodic_job_is_declared_and_forms(city, officer, item):
    assert "supplies.form-batches" in {job.name for job in periodic_jobs()}
    request = accepted(officer, city.household_a, package(item), at=cut_off_yesterday() - HOUR)
    assert form_due_batches_task.call() == 1
    assert BatchEntry.objects.get(request=request)
    assert supplies.Request.objects.get(pk=request.pk).state == RequestState.ACCEPTED
