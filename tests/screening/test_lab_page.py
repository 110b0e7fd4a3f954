"""The lab screen: scanning tubes in, one tube's result by hand, the tube list; no names."""

import pytest
from django.test import Client
from django.utils import timezone

from fangyi.screening.models import Tube

from .lab_support import ago, filled_tube, lab_user, residents

pytestmark = pytest.mark.django_db

SCREEN = "/screening/lab/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_lab_screen(city, sampler, site, round_now, worker_a):
    members = residents(city, 10)
    filled_tube(sampler, site, "N0001", members)
    client = _client(lab_user(city))
    page = client.get(SCREEN)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="receive-form"' in html and "autofocus" in html
    assert "/ledgers/lab-results/import/" in html and 'id="tube-N0001"' in html

    scanned = client.post(SCREEN + "receive/", {"barcode": "N0001"}, headers={"HX-Request": "true"})
    assert scanned.status_code == 200 and "已接收（混管 10/10 人）" in scanned.content.decode()
    again = client.post(SCREEN + "receive/", {"barcode": "N0001"}, headers={"HX-Request": "true"})
    assert "此前已接收" in again.content.decode()
    unknown = client.post(SCREEN + "receive/", {"barcode": "X0001"}, headers={"HX-Request": "true"})
    assert unknown.status_code == 200 and "没有这支试管" in unknown.content.decode()

    refused = client.post(
        SCREEN + "result/",
        {
            "barcode": "N0001",
            "result": "negative",
            "tested_at": timezone.localtime(ago(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert refused.status_code == 400 and "检测时间早于封管时间" in refused.content.decode()
    done = client.post(
        SCREEN + "result/",
        {
            "barcode": "N0001",
            "result": "negative",
            "ct_value": "38",
            "tested_at": timezone.localtime(ago(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    assert "写入 10 条健康事实" in done.content.decode()
    assert Tube.objects.get(barcode="N0001").result == "negative"

    listed = client.get(SCREEN, {"state": "resulted"}).content.decode()
    assert 'id="tube-N0001"' in listed and "阴性" in listed
    for html in (listed, scanned.content.decode(), done.content.decode()):
        for person in members:
            assert person.name not in html
    assert "没有该状态的试管" in client.get(SCREEN, {"state": "open"}).content.decode()

    for user in (sampler, worker_a):
        assert _client(user).get(SCREEN).status_code == 403
        assert _client(user).post(SCREEN + "receive/", {"barcode": "N0001"}).status_code == 403
