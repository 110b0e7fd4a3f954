"""The campaign page and the coverage page count positives the same way, under the same
label: persons positive alone in a tube in the round ("单管阳性"). Positive pools are shown
apart, as pools awaiting retest, and the estimate behind the pool-size advice says it is one.
A result recorded after coverage was cached shows on both at once."""

import re

import pytest
from django.urls import reverse

from fangyi.screening.lab import services as lab
from tests.support import signed_in

from .lab_support import filled_tube, lab_user, residents, result

pytestmark = pytest.mark.django_db


def _figure(html: str, name: str) -> int:
    found = re.search(rf'data-figure="{name}"[^>]*>\D*(\d+)', html)
    assert found, name
    return int(found.group(1))


def _pages(officer, campaign, round_now) -> tuple[str, str]:
    client = signed_in(officer)
    detail = client.get(reverse("screening:campaign-detail", args=[campaign.pk]))
    coverage = client.get(reverse("screening:coverage", args=[round_now.pk]))
    return detail.content.decode(), coverage.content.decode()


def test_both_pages_count_single_tube_positive_persons(
    city, officer, campaign, sampler, site, round_now, django_capture_on_commit_callbacks
):
    filled_tube(sampler, site, "P0001", residents(city, 5))
    filled_tube(sampler, site, "P0002", residents(city, 5))
    filled_tube(sampler, site, "P0003", residents(city, 5))
    single = residents(city, 2)
    filled_tube(sampler, site, "S0001", single[:1])
    filled_tube(sampler, site, "S0002", single[1:])
    analyst = lab_user(city)
    lab.record_results(
        actor=analyst,
        items=[
            result("P0001", "positive"),
            result("P0002", "positive"),
            result("P0003", "negative"),
            result("S0001", "positive"),
        ],
    )
    detail, coverage = _pages(officer, campaign, round_now)
    assert _figure(detail, "positive") == _figure(coverage, "positive") == 1
    assert "单管阳性" in detail and "单管阳性" in coverage
    assert "阳性混管 2 管（待单管复核）" in detail
    # The advice's estimate counts each unresolved pool as one person, and says so.
    assert "单管阳性 1 人，加上尚未复核出阳性者的阳性混管 2 管" in detail
    assert "检出阳性约" not in detail

    # Coverage is cached; a positive recorded now shows there as on the campaign page.
    with django_capture_on_commit_callbacks(execute=True):
        lab.record_results(actor=analyst, items=[result("S0002", "positive")])
    detail, coverage = _pages(officer, campaign, round_now)
    assert _figure(detail, "positive") == _figure(coverage, "positive") == 2


def test_the_label_is_the_same_in_english(city, officer, campaign, sampler, site, round_now):
    filled_tube(sampler, site, "S0001", residents(city, 1))
    lab.record_results(actor=lab_user(city), items=[result("S0001", "positive")])
    client = signed_in(officer)
    english = {"Accept-Language": "en"}
    detail = client.get(
        reverse("screening:campaign-detail", args=[campaign.pk]), headers=english
    ).content.decode()
    coverage = client.get(
        reverse("screening:coverage", args=[round_now.pk]), headers=english
    ).content.decode()
    assert "Positive (single tube)" in detail and "Positive (single tube)" in coverage
    assert _figure(detail, "positive") == _figure(coverage, "positive") == 1
