"""Opening a tube for the site's running round, sized for its first person; finding people in
the queue."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.codes import services as codes
from fangyi.health import services as health
from fangyi.screening.models import Tube
from fangyi.screening.sampling import screen
from fangyi.screening.sampling import services as sampling_services
from tests.factories import PersonFactory, staff
from tests.support import ago

pytestmark = pytest.mark.django_db


def test_without_a_first_person_the_campaign_default(city, sampler, site, round_now):
    tube = screen.start_tube(actor=sampler, barcode="T0001", site=site)
    assert (tube.round, tube.pool_size, tube.kind) == (round_now, 10, "pooled")


def test_a_person_in_quarantine_gets_a_single_tube(city, officer, sampler, site, round_now):
    health.record_fact(
        actor=officer,
        source="manual",
        person=city.person_a,
        kind="quarantine_start",
        occurred_at=ago(days=1),
        variant="home",
    )
    code = codes.issue_display_code(person_id=city.person_a.pk).text
    tube = screen.start_tube(actor=sampler, barcode="T0001", site=site, code=code)
    tube.refresh_from_db()
    assert (tube.pool_size, tube.state) == (1, "closed")
    assert [s.person for s in tube.samples.all()] == [city.person_a]


def test_a_household_in_a_sealed_zone_rounds_up_to_an_allowed_size(
    city, officer, sampler, site, round_now
):
    for _ in range(2):
        PersonFactory(household=city.household_a)
    health.draw_zone(actor=officer, kind="high", regions=[city.building_a], reason="出现病例")
    tube = screen.start_tube(actor=sampler, barcode="T0001", site=site, person=city.person_a)
    assert tube.pool_size == 5


def test_a_chosen_size_wins(city, sampler, site, round_now):
    tube = screen.start_tube(
        actor=sampler, barcode="T0001", site=site, pool_size=20, person=city.person_a
    )
    assert tube.pool_size == 20 and tube.samples.count() == 1


def test_a_refused_first_person_leaves_no_tube(city, sampler, site, round_now):
    first = screen.start_tube(actor=sampler, barcode="T0001", site=site, person=city.person_a)
    with pytest.raises(ValidationError) as caught:
        screen.start_tube(actor=sampler, barcode="T0002", site=site, person=city.person_a)
    assert caught.value.message_dict["person"] == ["该居民已在本轮另一支未封管的试管（T0001）中。"]
    with pytest.raises(ValidationError) as caught:
        screen.start_tube(actor=sampler, barcode="T0002", site=site, code="FY1:junk")
    assert "code" in caught.value.message_dict
    assert list(Tube.objects.values_list("barcode", flat=True)) == [first.barcode]


def test_no_running_round(city, officer, campaign, sampler, site):
    with pytest.raises(ValidationError) as caught:
        screen.start_tube(actor=sampler, barcode="T0001", site=site)
    assert caught.value.message_dict["site"] == ["该采样点所属的筛查任务当前没有进行中的轮次。"]


def test_only_the_sites_samplers(city, site, round_now):
    other = staff("sampler", city.community, username="other")
    with pytest.raises(PermissionDenied):
        screen.start_tube(actor=other, barcode="T0001", site=site)
    with pytest.raises(PermissionDenied):
        screen.search_persons(actor=other, site=site, query="王")


def test_search_by_name_or_id_tail_within_the_campaign(city, sampler, round_now, grid_a_only):
    round_, site = grid_a_only.round, grid_a_only.site
    by_name = screen.search_persons(actor=sampler, site=site, query="王")
    assert [found.person for found in by_name] == [city.person_a]
    by_tail = screen.search_persons(actor=sampler, site=site, query=city.person_a.id_tail)
    assert [found.person for found in by_tail] == [city.person_a]
    assert not by_tail[0].sampled
    # Person b lives in grid b, outside this campaign.
    assert screen.search_persons(actor=sampler, site=site, query="李") == []
    assert screen.search_persons(actor=sampler, site=site, query="  ") == []
    tube = sampling_services.open_tube(
        actor=sampler, barcode="T0001", site=site, round=round_, pool_size=5
    )
    sampling_services.add_to_tube(actor=sampler, tube=tube, person=city.person_a)
    assert screen.search_persons(actor=sampler, site=site, query="王")[0].sampled


def test_search_stops_at_twenty(city, sampler, site, round_now):
    for _ in range(25):
        PersonFactory(household=city.household_a, name="张伟")
    assert len(screen.search_persons(actor=sampler, site=site, query="张")) == 20
