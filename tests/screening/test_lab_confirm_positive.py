"""A positive entered on the lab page is recorded only after a confirmation that names the
tube and how many people it turns yellow (a pool) or red (a single tube); a negative is
recorded at once. The confirmation is a page with a second post: it needs no script."""

import pytest
from django.test import Client
from django.utils import timezone

from fangyi.health.models import Fact
from fangyi.screening.models import Tube

from .lab_support import ago, filled_tube, lab_user, residents

pytestmark = pytest.mark.django_db

RESULT = "/screening/lab/result/"


def _lab(city) -> Client:
    client = Client()
    client.force_login(lab_user(city))
    return client


def _posted(barcode, outcome, **more):
    tested = timezone.localtime(ago(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    return {"barcode": barcode, "result": outcome, "tested_at": tested} | more


def test_a_positive_pool_asks_first_naming_the_tube_and_its_people(city, sampler, site, round_now):
    filled_tube(sampler, site, "N0001", residents(city, 10))
    client = _lab(city)
    asked = client.post(RESULT, _posted("N0001", "positive", ct_value="31.5"))
    html = asked.content.decode()
    assert asked.status_code == 200 and 'id="confirm-positive"' in html
    assert "N0001" in html and "管内 10 人将转为黄码" in html
    assert 'name="confirm" value="1"' in html and 'name="ct_value" value="31.5"' in html
    assert Tube.objects.get(barcode="N0001").result == ""
    assert not Fact.objects.exists()

    confirmed = client.post(
        RESULT, _posted("N0001", "positive", ct_value="31.5", confirm="1"), follow=True
    )
    assert "写入 10 条健康事实" in confirmed.content.decode()
    tube = Tube.objects.get(barcode="N0001")
    assert (tube.result, tube.ct_value) == ("positive", 31.5)


def test_a_positive_single_tube_says_red(city, sampler, site, round_now):
    filled_tube(sampler, site, "S0001", residents(city, 1))
    client = _lab(city)
    html = client.post(RESULT, _posted("S0001", "positive")).content.decode()
    assert "管内 1 人将转为红码" in html
    english = client.post(
        RESULT, _posted("S0001", "positive"), headers={"Accept-Language": "en"}
    ).content.decode()
    assert "1 person in the tube will turn red" in english
    assert Tube.objects.get(barcode="S0001").result == ""


def test_a_negative_needs_no_confirmation(city, sampler, site, round_now):
    filled_tube(sampler, site, "N0002", residents(city, 5))
    response = _lab(city).post(RESULT, _posted("N0002", "negative"))
    assert response.status_code == 302
    assert Tube.objects.get(barcode="N0002").result == "negative"


def test_an_unknown_tube_is_refused_without_asking(city, sampler, site, round_now):
    response = _lab(city).post(RESULT, _posted("X0009", "positive"))
    assert response.status_code == 400 and "没有这支试管" in response.content.decode()
