"""The lab's receipt and tube list say how many people a tube holds, out of the pool size it
was opened for: a tube of ten closed with two is "2/10", in Chinese and in English."""

import pytest
from django.test import Client

from fangyi.screening.sampling import services as sampling_services

from .lab_support import filled_tube, lab_user, residents

pytestmark = pytest.mark.django_db

SCREEN = "/screening/lab/"


def _closed_early(sampler, site, round_now, barcode, persons):
    tube = sampling_services.open_tube(
        actor=sampler, barcode=barcode, site=site, round=round_now, pool_size=10
    )
    for person in persons:
        sampling_services.add_to_tube(actor=sampler, tube=tube, person=person)
    return sampling_services.close_tube(actor=sampler, tube=tube)


def _lab(city) -> Client:
    client = Client()
    client.force_login(lab_user(city))
    return client


def _receive(client, barcode, language):
    return client.post(
        SCREEN + "receive/",
        {"barcode": barcode},
        headers={"HX-Request": "true", "Accept-Language": language},
    ).content.decode()


def test_the_receipt_counts_the_people_in_the_tube(city, sampler, site, round_now):
    _closed_early(sampler, site, round_now, "P0002", residents(city, 2))
    _closed_early(sampler, site, round_now, "P0003", residents(city, 1))
    filled_tube(sampler, site, "S0001", residents(city, 1))
    client = _lab(city)
    assert "已接收（混管 2/10 人）。" in _receive(client, "P0002", "zh-hans")
    assert "Received (Pooled tube, 1 person of 10)." in _receive(client, "P0003", "en")
    assert "Received (Single tube, 1 person of 1)." in _receive(client, "S0001", "en")


def test_the_tube_list_counts_the_people_too(city, sampler, site, round_now):
    _closed_early(sampler, site, round_now, "P0004", residents(city, 2))
    client = _lab(city)
    chinese = client.get(SCREEN, headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "混管 2/10 人" in chinese
    english = client.get(SCREEN, headers={"Accept-Language": "en"}).content.decode()
    assert "Pooled tube 2 people of 10" in english
