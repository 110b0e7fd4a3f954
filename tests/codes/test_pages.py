"""Staff pages: print a card (confirm, then a printable sheet with the QR), revoke codes."""

import pytest

from fangyi.codes.models import CardCode
from tests.support import signed_in

pytestmark = pytest.mark.django_db


def test_printing_a_card_asks_first_then_shows_the_sheet(city, worker_a):
    client = signed_in(worker_a)
    url = f"/codes/card/{city.person_a.pk}/"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "生成并打印" in confirm.content.decode()
    assert not CardCode.objects.exists()
    sheet = client.post(url)
    page = sheet.content.decode()
    assert sheet.status_code == 200
    assert "<svg" in page and "王*明" in page and city.person_a.id_number[-4:] in page
    assert CardCode.objects.count() == 1


def test_cards_only_for_people_in_scope(city, worker_a):
    assert signed_in(worker_a).post(f"/codes/card/{city.person_b.pk}/").status_code == 404


def test_revoking_from_the_page(city, officer, worker_a):
    signed_in(worker_a).post(f"/codes/card/{city.person_a.pk}/")
    client = signed_in(officer)
    url = f"/codes/revoke/{city.person_a.pk}/"
    assert client.post(url, {"reason": ""}).status_code == 200
    response = client.post(url, {"reason": "卡片遗失"})
    assert response.status_code == 302
    assert CardCode.objects.get().revoked_at is not None


def test_a_grid_worker_may_not_revoke(city, worker_a):
    assert signed_in(worker_a).get(f"/codes/revoke/{city.person_a.pk}/").status_code == 403


def test_the_card_page_in_english(city, worker_a):
    client = signed_in(worker_a)
    client.cookies["django_language"] = "en"
    page = client.get(f"/codes/card/{city.person_a.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    assert b"<html" in page
