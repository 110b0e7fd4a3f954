"""Odd or hostile input to the campaign pages and the sampling screen: a message or a form
error, never a 500, nothing written."""

import pytest
from django.urls import reverse

from fangyi.screening.models import Exemption, Sample, Tube
from tests.support import signed_in

pytestmark = pytest.mark.django_db

LONG = "王" * 60


@pytest.mark.parametrize(
    "params",
    [{"exempt-q": LONG}, {"exempt-q": "\x00"}, {"cursor": "%%%"}, {"cursor": "\x00"}],
    ids=["long-search", "nul-search", "bad-cursor", "nul-cursor"],
)
def test_the_campaign_page_survives_odd_queries(city, officer, campaign, params):
    response = signed_in(officer).get(
        reverse("screening:campaign-detail", args=[campaign.pk]), params
    )
    assert response.status_code == 200


def test_the_list_survives_odd_filters(city, officer, campaign):
    client = signed_in(officer)
    for params in ({"region": "\x00"}, {"region": "9" * 100}, {"cursor": "\x00"}):
        assert client.get(reverse("screening:campaign-list"), params).status_code == 200


def test_odd_exemption_posts_are_form_errors(city, officer, campaign):
    url = reverse("screening:exemption-add", args=[campaign.pk])
    client = signed_in(officer)
    for body in (
        {"exempt-q": LONG, "exempt-person": "x", "exempt-reason": "住院"},
        {"exempt-person": str(city.person_a.pk), "exempt-reason": "\x00"},
        {"exempt-person": str(city.person_a.pk), "exempt-reason": "住院", "exempt-round": "x"},
    ):
        assert client.post(url, body).status_code == 400
    assert not Exemption.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"q": LONG},
        {"q": "\x00"},
        {"tube": "x" * 100},
        {"tube": "T1\x00"},
        {"site": "\x00"},
        {"site": "not-a-site"},
    ],
    ids=["long-search", "nul-search", "long-barcode", "nul-barcode", "nul-site", "bad-site"],
)
def test_the_sampling_screen_survives_odd_queries(city, sampler, site, round_now, params):
    assert signed_in(sampler).get(reverse("screening:sampling"), params).status_code == 200


@pytest.mark.parametrize(
    ("view", "body"),
    [
        ("sampling-open", {"site": "\x00", "barcode": "T0001"}),
        ("sampling-open", {"site": "SITE", "barcode": "T0001\x00"}),
        ("sampling-open", {"site": "SITE", "barcode": "T0001", "pool_size": "many"}),
        ("sampling-add", {"site": "SITE", "tube": "T1\x00", "text": "FY1:x"}),
        ("sampling-add", {"site": "SITE", "tube": "T0009", "person": "not-a-uuid"}),
        ("sampling-close", {"site": "SITE", "tube": "x" * 100, "confirm": "1"}),
    ],
    ids=["nul-site", "nul-barcode", "words-size", "nul-tube", "bad-person", "long-tube"],
)
def test_odd_sampling_posts_redirect_with_a_message(city, sampler, site, round_now, view, body):
    if body.get("site") == "SITE":
        body = body | {"site": str(site.pk)}
    response = signed_in(sampler).post(reverse(f"screening:{view}"), body, follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])
    assert not Tube.objects.exists() and not Sample.objects.exists()
