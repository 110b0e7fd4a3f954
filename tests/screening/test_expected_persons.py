"""Who is expected in a round: residents present in the covered regions, minus exemptions."""

import pytest

from fangyi.screening.campaigns import services as campaign_services
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _ids(queryset) -> set:
    return set(queryset.values_list("pk", flat=True))


def test_everyone_present_in_the_covered_regions(city, officer, round_now):
    assert _ids(campaign_services.expected_persons(round_now)) == {
        city.person_a.pk,
        city.person_b.pk,
    }


def test_people_away_are_not_expected_and_temporary_residents_are(city, round_now):
    city.person_a.residence_status = "away"
    city.person_a.save()
    city.person_b.residence_status = "temporary"
    city.person_b.save()
    assert _ids(campaign_services.expected_persons(round_now)) == {city.person_b.pk}


def test_exemptions_of_the_round_or_of_the_campaign(city, officer, campaign, round_now):
    later = campaign_services.add_round(
        actor=officer,
        campaign=campaign,
        starts_at=round_now.deadline,
        deadline=round_now.deadline.replace(year=round_now.deadline.year + 1),
    )
    campaign_services.exempt_person(
        actor=officer, campaign=campaign, person=city.person_a, reason="住院", round=round_now
    )
    campaign_services.exempt_person(
        actor=officer, campaign=campaign, person=city.person_b, reason="长期外地就医"
    )
    assert _ids(campaign_services.expected_persons(round_now)) == set()
    assert _ids(campaign_services.expected_persons(later)) == {city.person_a.pk}


def test_only_the_covered_regions(city, officer):
    campaign = campaign_services.create_campaign(
        actor=officer, name="一网格", regions=[city.grid_a]
    )
    round_ = campaign_services.add_round(
        actor=officer,
        campaign=campaign,
        starts_at=city.person_a.created_at,
        deadline=city.person_a.created_at.replace(year=2100),
    )
    newcomer = PersonFactory(household=HouseholdFactory(building=city.building_a, room="909"))
    assert _ids(campaign_services.expected_persons(round_)) == {city.person_a.pk, newcomer.pk}


def test_the_queryset_can_be_restricted_to_a_worker(city, round_now, worker_b):
    visible = campaign_services.expected_persons(round_now).restrict(worker_b)
    assert _ids(visible) == {city.person_b.pk}
