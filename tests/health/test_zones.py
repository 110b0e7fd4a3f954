"""Zones: drawn in scope, colour their residents, lifted (or lowered) by a person, audited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fangyi.core.models import ObjectChange
from fangyi.health import services
from fangyi.health.models import FactKind, Policy, Status, Zone


def test_a_high_risk_zone_on_a_building_colours_only_its_residents(city, officer):
    zone = services.draw_zone(
        actor=officer, kind="high", regions=[city.building_a], reason="新增阳性病例"
    )
    status = Status.objects.get(person=city.person_a)
    assert status.colour == "red"
    assert status.reasons[0]["code"] == "zone"
    assert status.reasons[0]["zone"] == str(zone.pk)
    assert "高风险区" in status.reasons[0]["zh"]
    assert "High-risk area" in status.reasons[0]["en"]
    assert services.current_status(city.person_b).colour == "green"
    change = ObjectChange.objects.get(object_id=str(zone.pk), action="create")
    assert change.after["regions"] == [city.building_a.code]
    assert change.actor == officer


def test_lifting_a_high_risk_zone_lowers_it_then_ends_it(city, officer):
    zone = services.draw_zone(
        actor=officer, kind="high", regions=[city.building_a], reason="新增阳性病例"
    )
    lowered = services.lift_zone(actor=officer, zone=zone, reason="连续7天无新增")
    assert lowered.kind == "medium" and lowered.predecessor == zone
    zone.refresh_from_db()
    assert zone.lifted_at is not None and zone.lifted_by == officer
    assert Status.objects.get(person=city.person_a).colour == "yellow"
    assert services.lift_zone(actor=officer, zone=lowered, reason="再满3天") is None
    assert Status.objects.get(person=city.person_a).colour == "green"
    with pytest.raises(ValidationError, match="已经解除"):
        services.lift_zone(actor=officer, zone=lowered)


def test_a_lowering_and_the_later_lifting_each_keep_their_reason(city, officer):
    zone = services.draw_zone(
        actor=officer, kind="high", regions=[city.building_a], reason="新增阳性病例"
    )
    lowered = services.lift_zone(actor=officer, zone=zone, reason="连续7天无新增")
    services.lift_zone(actor=officer, zone=lowered, reason="降级后满3天")
    zone.refresh_from_db()
    lowered.refresh_from_db()
    assert zone.reason == "新增阳性病例" and zone.lift_reason == "连续7天无新增"
    assert lowered.reason == "连续7天无新增" and lowered.lift_reason == "降级后满3天"
    changes = ObjectChange.objects.filter(object_id__in=[str(zone.pk), str(lowered.pk)])
    lowering = changes.get(object_id=str(zone.pk), action=ObjectChange.UPDATE)
    assert lowering.after["lift_reason"] == "连续7天无新增"
    assert lowering.after["lowered_to"] == str(lowered.pk)
    drawn = changes.get(object_id=str(lowered.pk), action=ObjectChange.CREATE)
    assert drawn.after["reason"] == "连续7天无新增"
    assert drawn.after["lowered_from"] == str(zone.pk)
    lifting = changes.get(object_id=str(lowered.pk), action=ObjectChange.UPDATE)
    assert lifting.after == {
        "lifted_at": lifting.after["lifted_at"],
        "lift_reason": "降级后满3天",
        "lowered_to": None,
    }


def test_a_zone_over_a_community_covers_every_building_below(city, officer):
    services.draw_zone(
        actor=officer, kind="medium", regions=[city.community], reason="社区内出现病例"
    )
    assert Status.objects.get(person=city.person_a).colour == "yellow"
    assert Status.objects.get(person=city.person_b).colour == "yellow"


def test_zone_kinds_come_from_the_policy_in_force(city, officer):
    with pytest.raises(ValidationError) as raised:
        services.draw_zone(actor=officer, kind="sealed", regions=[city.building_a], reason="x")
    assert "high" in raised.value.message_dict["kind"][0]


def test_a_zone_needs_regions_and_a_reason(city, officer):
    with pytest.raises(ValidationError) as raised:
        services.draw_zone(actor=officer, kind="high", regions=[], reason=" ")
    assert set(raised.value.message_dict) == {"regions", "reason"}


def test_only_officers_and_commanders_in_scope_draw_zones(city, worker_a, officer):
    with pytest.raises(PermissionDenied):
        services.draw_zone(actor=worker_a, kind="high", regions=[city.building_a], reason="x")
    assert not Zone.objects.exists()


def test_a_zone_starting_later_colours_from_its_start(city, officer):
    later = timezone.now() + datetime.timedelta(hours=2)
    services.draw_zone(
        actor=officer, kind="high", regions=[city.building_a], reason="明日起封控", starts_at=later
    )
    status = Status.objects.get(person=city.person_a)
    assert status.colour == "green"
    assert abs((status.valid_until - later).total_seconds()) < 1


def test_zone_state_counts_residents_and_clean_days(city, officer):
    zone = services.draw_zone(
        actor=officer, kind="high", regions=[city.building_a, city.building_b], reason="x"
    )
    state = services.zone_state(zone, now=timezone.now() + datetime.timedelta(days=8))
    assert state.residents == 2
    assert state.clean_days == 8
    labels = [label for label, _met in state.criteria]
    assert len(labels) == 2
    # Eight clean days, but no negative round in the last day: not yet.
    assert state.criteria[0][1] is True
    assert state.criteria[1][1] is False
    assert not state.meets_criteria


def test_a_new_positive_resets_the_clean_days(city, officer):
    zone = services.draw_zone(actor=officer, kind="high", regions=[city.building_a], reason="x")
    positive_at = timezone.now() - datetime.timedelta(hours=1)
    services.record_fact(
        actor=officer,
        source="manual",
        person=city.person_a,
        kind=FactKind.TEST_RESULT,
        occurred_at=positive_at,
        outcome="positive",
        variant="single",
    )
    state = services.zone_state(zone, now=timezone.now() + datetime.timedelta(days=3))
    assert state.last_positive == positive_at
    assert state.clean_days == 3


def test_a_lowered_zone_counts_days_since_it_was_lowered(city, officer):
    zone = services.draw_zone(actor=officer, kind="high", regions=[city.building_a], reason="x")
    lowered = services.lift_zone(actor=officer, zone=zone, reason="ok")
    state = services.zone_state(lowered, now=timezone.now() + datetime.timedelta(days=3, hours=1))
    assert state.meets_criteria
    early = services.zone_state(lowered, now=timezone.now() + datetime.timedelta(days=2))
    assert not early.meets_criteria


def test_switching_the_policy_recomputes_everyone_and_is_audited(city, commander, officer):
    services.draw_zone(actor=officer, kind="medium", regions=[city.building_a], reason="x")
    march = Policy.objects.get(code="2022-03")
    services.switch_policy(actor=commander, policy=march)
    assert Policy.objects.in_force() == march
    status = Status.objects.get(person=city.person_a)
    assert status.policy_version == "2022-03.v1"
    # "medium" is not a zone kind of the March plan: the zone no longer colours anyone.
    assert status.colour == "green"
    change = ObjectChange.objects.get(object_type="health.policy")
    assert change.before == {"in_force": "2022-06-9th.v1"}
    assert change.after == {"in_force": "2022-03.v1"}


def test_officers_cannot_switch_the_policy(city, officer):
    with pytest.raises(PermissionDenied):
        services.switch_policy(actor=officer, policy=Policy.objects.get(code="2022-03"))
    assert Policy.objects.in_force().code == "2022-06-9th"


def test_a_resident_who_moves_out_of_a_zone_changes_colour_at_once(city, officer):
    from fangyi.people import services as people_services

    services.draw_zone(actor=officer, kind="high", regions=[city.building_a], reason="x")
    assert Status.objects.get(person=city.person_a).colour == "red"
    people_services.update_person(
        actor=officer, person=city.person_a, changes={"household": city.household_b}
    )
    status = Status.objects.get(person=city.person_a)
    assert status.colour == "green"
    assert status.region_path == city.building_b.path


def test_grid_staff_see_zones_drawn_over_them_from_above_but_not_elsewhere(city, officer, worker_a):
    from fangyi.health.models import Zone

    over = services.draw_zone(actor=officer, kind="medium", regions=[city.community], reason="x")
    mine = services.draw_zone(actor=officer, kind="high", regions=[city.building_a], reason="y")
    services.draw_zone(actor=officer, kind="high", regions=[city.building_b], reason="z")
    assert set(Zone.objects.restrict(worker_a, "view")) == {over, mine}
    assert set(Zone.objects.restrict(worker_a, "view", within=city.building_a.path)) == {
        over,
        mine,
    }
    assert set(Zone.objects.restrict(officer, "view")) == set(Zone.objects.all())


def test_two_retractions_of_one_fact_in_one_list_are_refused(city, officer):
    from fangyi.health.models import Fact
    from fangyi.health.services import FactInput

    visit = services.record_fact(
        actor=officer,
        source="manual",
        person=city.person_a,
        kind=FactKind.FEVER_CLINIC_VISIT,
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
    )
    retraction = FactInput(
        person=city.person_a,
        kind=FactKind.RETRACTION,
        occurred_at=timezone.now(),
        retracts=visit,
        details={"reason": "误录"},
    )
    with pytest.raises(ValidationError) as raised:
        services.record_facts(actor=officer, items=[retraction, retraction], source="api")
    assert "1.retracts" in raised.value.message_dict
    assert Fact.objects.count() == 1
