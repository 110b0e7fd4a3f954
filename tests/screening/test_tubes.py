"""A sampler opens a tube, adds people by choosing them or scanning their code, and the tube
closes when full or by hand; what cannot go into a tube is refused with a clear message."""

import datetime
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from fangyi.codes import services as codes
from fangyi.health import services as health
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.models import Sample, Tube
from fangyi.screening.sampling import services as sampling_services
from tests.factories import HouseholdFactory, PersonFactory, staff
from tests.support import ago

pytestmark = pytest.mark.django_db


def _open(sampler, site, round_, barcode="T0001", pool_size=5):
    return sampling_services.open_tube(
        actor=sampler, barcode=barcode, site=site, round=round_, pool_size=pool_size
    )


def _message(caught, field):
    return caught.value.message_dict[field][0]


def test_a_tube_fills_and_closes_itself(city, sampler, site, round_now):
    tube = _open(sampler, site, round_now, pool_size=5)
    assert (tube.kind, tube.state, tube.region_path) == ("pooled", "open", city.grid_a.path)
    first = sampling_services.add_to_tube(actor=sampler, tube=tube, person=city.person_a)
    assert first.in_open_tube and first.region_path == city.person_a.region_path
    others = [city.person_b, *(PersonFactory(household=city.household_b) for _ in range(3))]
    for person in others:
        last = sampling_services.add_to_tube(actor=sampler, tube=tube, person=person)
    tube.refresh_from_db()
    assert tube.state == "closed" and tube.closed_at is not None
    assert not Sample.objects.filter(in_open_tube=True).exists()
    assert last.sampler == sampler and last.site == site and last.round == round_now
    with pytest.raises(ValidationError) as caught:
        sampling_services.add_to_tube(actor=sampler, tube=tube, person=city.person_a)
    assert _message(caught, "tube") == "该试管已封管，不能再加入。"


def test_a_single_tube_closes_with_its_one_person(city, sampler, site, round_now):
    tube = _open(sampler, site, round_now, pool_size=1)
    assert tube.kind == "single"
    sampling_services.add_to_tube(actor=sampler, tube=tube, person=city.person_a)
    tube.refresh_from_db()
    assert tube.state == "closed"


def test_a_duplicate_barcode_is_refused(city, sampler, site, round_now):
    _open(sampler, site, round_now)
    with pytest.raises(ValidationError) as caught:
        _open(sampler, site, round_now)
    assert _message(caught, "barcode") == "条码 T0001 已被使用，请换一支试管。"
    for bad in ("", "ab", "T 0001", "x" * 40, "条码123"):
        with pytest.raises(ValidationError):
            _open(sampler, site, round_now, barcode=bad)


def test_pool_size_and_round_window(city, officer, campaign, sampler, site, round_now):
    with pytest.raises(ValidationError) as caught:
        _open(sampler, site, round_now, pool_size=7)
    assert _message(caught, "pool_size") == "混采人数应为以下之一：1、5、10、20。"
    past = campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(days=3), deadline=ago(days=2)
    )
    with pytest.raises(ValidationError) as caught:
        _open(sampler, site, past, barcode="T0002")
    assert _message(caught, "round") == "第2轮已截止。"


def test_a_person_twice_in_a_round_or_a_tube_is_refused(city, sampler, site, round_now):
    tube = _open(sampler, site, round_now)
    sampling_services.add_to_tube(actor=sampler, tube=tube, person=city.person_a)
    with pytest.raises(ValidationError) as caught:
        sampling_services.add_to_tube(actor=sampler, tube=tube, person=city.person_a)
    assert _message(caught, "person") == "该居民已在此管中。"
    other = _open(sampler, site, round_now, barcode="T0002")
    with pytest.raises(ValidationError) as caught:
        sampling_services.add_to_tube(actor=sampler, tube=other, person=city.person_a)
    assert _message(caught, "person") == "该居民已在本轮另一支未封管的试管（T0001）中。"
    sampling_services.close_tube(actor=sampler, tube=tube)
    # Once that tube is closed, a second swab may go into another tube, if the sampler confirms.
    sampling_services.add_to_tube(
        actor=sampler, tube=other, person=city.person_a, confirm_repeat=True
    )


def test_the_database_refuses_a_person_in_two_open_tubes_of_a_round(city, sampler, site, round_now):
    first = _open(sampler, site, round_now)
    second = _open(sampler, site, round_now, barcode="T0002")
    sampling_services.add_to_tube(actor=sampler, tube=first, person=city.person_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sample.objects.create(
            tube=second,
            person=city.person_a,
            round=round_now,
            site=site,
            sampled_at=ago(minutes=1),
            region_path=city.person_a.region_path,
        )


def test_a_person_outside_the_campaign_is_refused(city, sampler, grid_a_only):
    round_, site = grid_a_only.round, grid_a_only.site
    tube = _open(sampler, site, round_)
    with pytest.raises(ValidationError) as caught:
        sampling_services.add_to_tube(actor=sampler, tube=tube, person=city.person_b)
    assert _message(caught, "person") == "该居民不在本次筛查的区域内。"


def test_a_person_in_quarantine_needs_a_single_tube(city, officer, sampler, site, round_now):
    health.record_fact(
        actor=officer,
        source="manual",
        person=city.person_a,
        kind="quarantine_start",
        occurred_at=ago(days=1),
        variant="home",
    )
    pooled = _open(sampler, site, round_now)
    with pytest.raises(ValidationError) as caught:
        sampling_services.add_to_tube(actor=sampler, tube=pooled, person=city.person_a)
    assert _message(caught, "person") == "该居民正在隔离，须单管采样。"
    single = _open(sampler, site, round_now, barcode="T0002", pool_size=1)
    sampling_services.add_to_tube(actor=sampler, tube=single, person=city.person_a)


def test_people_are_added_by_their_display_or_card_code(city, sampler, site, round_now, worker_b):
    tube = _open(sampler, site, round_now)
    display = codes.issue_display_code(person_id=city.person_a.pk)
    sample = sampling_services.add_to_tube(actor=sampler, tube=tube, code=display.text)
    assert sample.person == city.person_a
    card = codes.issue_card_code(user=worker_b, person=city.person_b)
    assert (
        sampling_services.add_to_tube(actor=sampler, tube=tube, code=card.text).person
        == city.person_b
    )


def test_bad_codes_are_refused_with_the_reason(city, officer, sampler, site, round_now, worker_a):
    tube = _open(sampler, site, round_now)
    card = codes.issue_card_code(user=worker_a, person=city.person_a)
    codes.revoke_codes(user=officer, person=city.person_a, reason="卡片遗失补办")
    cases = {
        card.text: "该健康码已被撤销。",
        card.text[:-6]: "无法识别该码，请重新扫描。",
        "not a code": "无法识别该码，请重新扫描。",
        "": "请扫描健康码，或选择一位居民。",
    }
    for text, message in cases.items():
        with pytest.raises(ValidationError) as caught:
            sampling_services.add_to_tube(actor=sampler, tube=tube, code=text)
        assert message in caught.value.messages
    assert not Sample.objects.exists()


def test_an_expired_code_is_refused(city, sampler, site, round_now, monkeypatch):
    tube = _open(sampler, site, round_now)
    display = codes.issue_display_code(person_id=city.person_a.pk)
    later = time.time() + datetime.timedelta(hours=1).total_seconds()
    verify = codes.verify_here
    monkeypatch.setattr(codes, "verify_here", lambda text: verify(text, now=later))
    with pytest.raises(ValidationError) as caught:
        sampling_services.add_to_tube(actor=sampler, tube=tube, code=display.text)
    assert _message(caught, "code") == "健康码已过期，请让居民刷新后再扫。"


def test_a_place_code_is_not_a_resident(city, sampler, site, round_now):
    tube = _open(sampler, site, round_now)
    text, _expires = codes.issue_place_code(
        subject="venue-sub", venue_name="超市", venue_kind="supermarket", region_code="350102"
    )
    with pytest.raises(ValidationError) as caught:
        sampling_services.add_to_tube(actor=sampler, tube=tube, code=text)
    assert _message(caught, "code") == "这不是居民的健康码。"


def test_closing_by_hand(city, sampler, site, round_now):
    tube = _open(sampler, site, round_now)
    with pytest.raises(ValidationError) as caught:
        sampling_services.close_tube(actor=sampler, tube=tube)
    assert _message(caught, "tube") == "空管不能封管，请先加入居民。"
    sampling_services.add_to_tube(actor=sampler, tube=tube, person=city.person_a)
    sampling_services.close_tube(actor=sampler, tube=tube)
    assert Tube.objects.get(pk=tube.pk).state == "closed"
    with pytest.raises(ValidationError):
        sampling_services.close_tube(actor=sampler, tube=tube)


def test_only_the_sites_samplers_fill_its_tubes(city, officer, sampler, site, round_now):
    stranger = staff("sampler", city.community, username="stranger")
    with pytest.raises(PermissionDenied, match="您不是该采样点的采样人员"):
        _open(stranger, site, round_now)
    tube = _open(sampler, site, round_now)
    for actor in (stranger, officer):
        with pytest.raises(PermissionDenied):
            sampling_services.add_to_tube(actor=actor, tube=tube, person=city.person_a)
        with pytest.raises(PermissionDenied):
            sampling_services.close_tube(actor=actor, tube=tube)


def test_a_full_household_tube(city, sampler, site, round_now):
    household = HouseholdFactory(building=city.building_a, room="303")
    members = [PersonFactory(household=household) for _ in range(5)]
    tube = _open(sampler, site, round_now, pool_size=5)
    for person in members:
        sampling_services.add_to_tube(actor=sampler, tube=tube, person=person)
    tube.refresh_from_db()
    assert tube.state == "closed" and tube.samples.count() == 5
