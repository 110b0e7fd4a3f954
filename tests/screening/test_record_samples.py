"""Batches from sampling devices: tubes created as needed, idempotent on (tube, person),
all-or-nothing with errors naming the item, a fixed number of queries per batch."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangyi.core.models import ObjectChange
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.models import Sample, Tube
from fangyi.screening.sampling import batches
from fangyi.screening.sampling.batches import SampleInput
from tests.factories import HouseholdFactory, PersonFactory, staff
from tests.support import ago

pytestmark = pytest.mark.django_db


def _people(city, count, building=None):
    household = HouseholdFactory(building=building or city.building_a)
    return [PersonFactory(household=household).pk for _ in range(count)]


def _item(site, barcode, persons, **fields):
    return SampleInput(
        **(
            {"tube": barcode, "persons": persons, "site": site, "sampled_at": ago(minutes=5)}
            | fields
        )
    )


def _errors(caught) -> dict:
    return caught.value.message_dict


def test_a_batch_creates_tubes_and_closes_the_full_ones(city, sampler, site, round_now):
    ten, three = _people(city, 10), _people(city, 3)
    items = [_item(site, "B0001", ten), _item(site, "B0002", three)]
    assert batches.record_samples(actor=sampler, items=items) == (13, 13)
    full, partial = Tube.objects.get(barcode="B0001"), Tube.objects.get(barcode="B0002")
    assert (full.state, full.pool_size, full.kind) == ("closed", 10, "pooled")
    assert full.closed_at == items[0].sampled_at and full.opened_at == items[0].sampled_at
    assert partial.state == "open"
    assert Sample.objects.filter(tube=full, in_open_tube=False).count() == 10
    assert Sample.objects.filter(tube=partial, in_open_tube=True).count() == 3
    sample = Sample.objects.filter(tube=full).first()
    assert sample.round == round_now and sample.sampler == sampler and sample.site == site
    # One audit row per tube, naming each person taken and when.
    assert not ObjectChange.objects.filter(object_type="screening.sample").exists()
    change = ObjectChange.objects.get(object_type="screening.tube", object_id=str(full.pk))
    assert change.after == {
        "barcode": "B0001",
        "round": str(round_now.pk),
        "site": str(site.pk),
        "pool_size": 10,
        "kind": "pooled",
        "state": "closed",
        "samples": [[str(pk), items[0].sampled_at.isoformat()] for pk in ten],
    }
    assert change.actor == sampler and change.action == "create" and change.before is None
    assert change.region_path == site.region_path


def test_adding_to_a_tube_of_an_earlier_batch_is_audited_on_the_tube(
    city, sampler, site, round_now
):
    persons = _people(city, 3)
    batches.record_samples(actor=sampler, items=[_item(site, "B0001", persons[:2])])
    item = _item(site, "B0001", persons)
    batches.record_samples(actor=sampler, items=[item])
    tube = Tube.objects.get(barcode="B0001")
    added = ObjectChange.objects.get(object_id=str(tube.pk), action="update")
    assert added.after == {"samples_added": [[str(persons[2]), item.sampled_at.isoformat()]]}


def test_resending_is_not_an_error(city, sampler, site, round_now):
    persons = _people(city, 4)
    items = [_item(site, "B0001", persons[:3])]
    assert batches.record_samples(actor=sampler, items=items) == (3, 3)
    assert batches.record_samples(actor=sampler, items=items) == (3, 0)
    more = [_item(site, "B0001", persons)]
    assert batches.record_samples(actor=sampler, items=more) == (4, 1)
    assert Sample.objects.count() == 4


def test_a_later_batch_fills_and_closes_an_open_tube(city, sampler, site, round_now):
    persons = _people(city, 5)
    batches.record_samples(actor=sampler, items=[_item(site, "B0001", persons[:2], pool_size=5)])
    batches.record_samples(actor=sampler, items=[_item(site, "B0001", persons[2:])])
    tube = Tube.objects.get(barcode="B0001")
    assert tube.state == "closed"
    assert not Sample.objects.filter(in_open_tube=True).exists()
    closed = ObjectChange.objects.get(
        object_id=str(tube.pk), action="update", after__has_key="state"
    )
    assert closed.after["state"] == "closed"
    # Resending to the closed tube what it holds is still fine; anyone new is not.
    assert batches.record_samples(actor=sampler, items=[_item(site, "B0001", persons)]) == (5, 0)
    with pytest.raises(ValidationError) as caught:
        batches.record_samples(actor=sampler, items=[_item(site, "B0001", [city.person_a.pk])])
    assert _errors(caught) == {"0.tube": ["该试管已封管，不能再加入。"]}


def test_one_bad_item_refuses_the_whole_batch_naming_it(city, sampler, site, round_now):
    good = _people(city, 2)
    items = [
        _item(site, "B0001", good),
        _item(site, "B0002", [city.person_b.pk, city.person_b.pk]),
        _item(site, "bad code", [city.person_a.pk]),
        _item(site, "B0004", [city.person_a.pk], sampled_at=ago(days=3)),
        _item(site, "B0005", [city.person_a.pk], sampled_at=ago(minutes=-30)),
        _item(site, "B0006", [city.person_a.pk], pool_size=7),
        _item(site, "B0007", []),
    ]
    with pytest.raises(ValidationError) as caught:
        batches.record_samples(actor=sampler, items=items)
    assert _errors(caught) == {
        "1.persons.1": ["同一居民在此项中重复。"],
        "2.tube": ["条码应为 4 到 32 位字母、数字或短横线。"],
        "3.sampled_at": ["采样时间不在本筛查任务的任何轮次内。"],
        "4.sampled_at": ["采样时间不能晚于现在。"],
        "5.pool_size": ["混采人数应为以下之一：1、5、10、20。"],
        "6.persons": ["请至少填写一人。"],
    }
    assert not Sample.objects.exists() and not Tube.objects.exists()


def test_persons_unknown_outside_or_already_in_an_open_tube(
    city, officer, sampler, round_now, site
):
    outsider = _people(city, 1)
    campaign = site.campaign
    batches.record_samples(actor=sampler, items=[_item(site, "B0001", [city.person_a.pk])])
    narrow = campaign_services.create_campaign(actor=officer, name="二网格", regions=[city.grid_b])
    campaign_services.add_round(
        actor=officer, campaign=narrow, starts_at=round_now.starts_at, deadline=round_now.deadline
    )
    narrow_site = campaign_services.create_site(
        actor=officer,
        campaign=narrow,
        region=city.grid_b,
        name="二网格点",
        capacity_per_hour=10,
        samplers=[sampler],
    )
    missing = city.person_a.pk.__class__(int=1)
    items = [
        _item(site, "B0002", [missing, city.person_a.pk, city.person_b.pk]),
        _item(narrow_site, "B0003", [outsider[0]]),
    ]
    with pytest.raises(ValidationError) as caught:
        batches.record_samples(actor=sampler, items=items)
    assert _errors(caught) == {
        "0.persons.0": ["没有这个居民。"],
        "1.persons.0": ["该居民不在本次筛查的区域内。"],
    }
    items = [_item(site, "B0002", [city.person_a.pk, city.person_b.pk])]
    with pytest.raises(ValidationError) as caught:
        batches.record_samples(actor=sampler, items=items)
    assert _errors(caught) == {"0.persons.0": ["该居民已在本轮另一支未封管的试管（B0001）中。"]}
    assert campaign.pk != narrow.pk


def test_a_person_in_two_tubes_of_one_batch(city, sampler, site, round_now):
    items = [_item(site, "B0001", [city.person_a.pk]), _item(site, "B0002", [city.person_a.pk])]
    with pytest.raises(ValidationError) as caught:
        batches.record_samples(actor=sampler, items=items)
    assert _errors(caught) == {"1.persons.0": ["该居民在本批中被放入本轮两支试管（B0001）。"]}


def test_too_many_for_the_pool(city, sampler, site, round_now):
    persons = _people(city, 6)
    with pytest.raises(ValidationError) as caught:
        batches.record_samples(actor=sampler, items=[_item(site, "B0001", persons, pool_size=5)])
    assert _errors(caught) == {"0.tube": ["超出该试管的混采人数（5 人）。"]}


def test_a_barcode_used_elsewhere(city, officer, sampler, site, round_now):
    other = campaign_services.create_site(
        actor=officer,
        campaign=site.campaign,
        region=city.grid_b,
        name="二网格点",
        capacity_per_hour=10,
        samplers=[sampler],
    )
    batches.record_samples(actor=sampler, items=[_item(site, "B0001", [city.person_a.pk])])
    with pytest.raises(ValidationError) as caught:
        batches.record_samples(actor=sampler, items=[_item(other, "B0001", [city.person_b.pk])])
    assert _errors(caught) == {"0.tube": ["该条码已用于其他采样点或轮次。"]}
    items = [_item(site, "B0002", [city.person_b.pk]), _item(other, "B0002", _people(city, 1))]
    with pytest.raises(ValidationError) as caught:
        batches.record_samples(actor=sampler, items=items)
    assert _errors(caught) == {"1.tube": ["同一条码在本批中对应不同的采样点或轮次（见第 0 项）。"]}


def test_only_the_sites_samplers_upload(city, officer, sampler, site, round_now):
    with pytest.raises(PermissionDenied):
        batches.record_samples(actor=officer, items=[_item(site, "B0001", [city.person_a.pk])])
    stranger = staff("sampler", city.community, username="stranger")
    with pytest.raises(ValidationError) as caught:
        batches.record_samples(actor=stranger, items=[_item(site, "B0001", [city.person_a.pk])])
    assert _errors(caught) == {"0.site": ["您不是该采样点的采样人员。"]}


def test_queries_do_not_grow_with_the_batch(city, sampler, site, round_now):
    def queries(count, prefix):
        persons = _people(city, count * 10)
        items = [
            _item(site, f"{prefix}{n:04d}", persons[n * 10 : n * 10 + 10]) for n in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            batches.record_samples(actor=sampler, items=items)
        return len(captured)

    assert queries(2, "A") == queries(30, "B")
