"""The campaign page advises a pool size for the prevalence the last round with results saw."""

import pytest
from django.urls import reverse

from fangyi.screening.campaigns import figures
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.models import Sample, Tube
from fangyi.screening.sampling import services as sampling_services
from tests.factories import PersonFactory
from tests.support import ago, signed_in

pytestmark = pytest.mark.django_db


def _tube(sampler, site, round_, barcode, persons, result, pool_size=5):
    tube = sampling_services.open_tube(
        actor=sampler, barcode=barcode, site=site, round=round_, pool_size=pool_size
    )
    for person in persons:
        sampling_services.add_to_tube(actor=sampler, tube=tube, person=person)
    if result:
        # The lab's part, written here as it leaves the rows.
        Tube.objects.filter(pk=tube.pk).update(state="resulted", result=result)
        Sample.objects.filter(tube=tube).update(result=result)
    return tube


@pytest.fixture
def people(city):
    return [PersonFactory(household=city.household_a) for _ in range(20)]


def test_no_results_yet_says_so(city, officer, campaign, sampler, site, round_now, people):
    _tube(sampler, site, round_now, "T0001", people[:5], "")
    assert figures.observed_prevalence(campaign) is None
    html = signed_in(officer).get(reverse("screening:campaign-detail", args=[campaign.pk]))
    assert "还没有检测结果" in html.content.decode()


def test_a_positive_pool_counts_one_person_until_a_retest_names_them(
    city, officer, campaign, sampler, site, round_now, people
):
    pool = _tube(sampler, site, round_now, "T0001", people[:5], "positive")
    for index in range(1, 4):
        _tube(
            sampler,
            site,
            round_now,
            f"T000{index + 1}",
            people[5 * index : 5 * index + 5],
            "negative",
        )
    observed = figures.observed_prevalence(campaign)
    assert (observed.round, observed.positives, observed.tested) == (round_now, 1, 20)
    advice = figures.pool_advice(campaign)
    assert advice.optimal_pool_size == 5 and advice.best_allowed_size == 5
    assert advice.expected_tests_per_person == pytest.approx(0.2 + 1 - 0.95**5)

    # Each member is retested alone; two come back positive, so the pool counts as them.
    members = list(pool.samples.values_list("person_id", flat=True))
    for number, person in enumerate(people[:5]):
        assert person.pk in members
        _tube(
            sampler,
            site,
            round_now,
            f"R{number:04d}",
            [person],
            "positive" if number < 2 else "negative",
            pool_size=1,
        )
    observed = figures.observed_prevalence(campaign)
    assert (observed.positives, observed.tested) == (2, 25)


def test_the_page_shows_the_advice_of_the_last_round_with_results(
    city, officer, campaign, sampler, site, round_now, people
):
    _tube(sampler, site, round_now, "T0001", people[:5], "positive")
    _tube(sampler, site, round_now, "T0002", people[5:10], "negative")
    campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(hours=-30), deadline=ago(hours=-40)
    )
    response = signed_in(officer).get(reverse("screening:campaign-detail", args=[campaign.pk]))
    html = response.content.decode()
    # One positive in ten: pooling by 4 is best in theory, 5 among 1, 5, 10 and 20.
    assert response.context["advice"].optimal_pool_size == 4
    assert "第1轮估计阳性率约 0.1000：单管阳性 0 人，加上尚未复核出阳性者的阳性混管 1 管" in html
    assert "除以已出结果 10 人次" in html
    assert "理论最优：4 人一管" in html
    assert "<strong>5 人一管</strong>" in html


def test_no_positive_advises_the_largest_allowed_size(
    city, officer, campaign, sampler, site, round_now, people
):
    _tube(sampler, site, round_now, "T0001", people[:5], "negative")
    advice = figures.pool_advice(campaign)
    assert advice.prevalence.value == 0
    assert advice.best_allowed_size == 20 and advice.optimal_pool_size == 100
