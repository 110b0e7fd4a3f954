"""The page a place code's QR opens: it checks the code, sends a stranger to the portal's
login, checks the resident in and shows their colour full-screen for the guard."""

import time
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from fangyi.checkpoints import services
from fangyi.checkpoints.models import CheckIn
from fangyi.codes import format, keys
from fangyi.codes import services as codes
from fangyi.health.services import current_status
from tests.support import resident_client


def _page(text: str) -> str:
    return reverse("checkpoints:check-in") + "?" + urlencode({"c": text})


def _code(venue) -> str:
    text, _expires = codes.issue_place_code(
        subject=venue.sub, venue_name=venue.name, venue_kind=venue.kind, region_code="350102"
    )
    return text


def _place_code_signed(venue, *, issued: int, expires: int) -> str:
    key = keys.current_key()
    claims = format.place_claims(
        issuer=settings.FANGYI_CODE_ISSUER,
        subject=venue.sub,
        issued_at=issued,
        expires_at=expires,
        venue_name=venue.name,
        venue_kind=venue.kind,
        region_code="350102001001001",
    )
    return format.sign(claims, key.private_key, kid=key.kid, prefix=format.PLACE_PREFIX).text


def test_a_stranger_is_sent_to_the_portal_login_and_back(city, venue_a):
    page = _page(_code(venue_a))
    response = Client().get(page)
    assert response.status_code == 302
    assert response.url == reverse("portal:login") + "?" + urlencode({"next": page})
    assert not CheckIn.objects.exists()


def test_a_logged_in_resident_is_checked_in_and_sees_their_colour(city, venue_a):
    response = resident_client(city.person_a).get(_page(_code(venue_a)))
    assert response.status_code == 200
    visit = CheckIn.objects.get()
    assert visit.person == city.person_a and visit.venue == venue_a
    status = current_status(city.person_a)
    assert visit.colour == status.colour == "green"
    html = response.content.decode()
    assert 'class="checkin colour-green"' in html and "绿码" in html
    assert "王*明" in html and city.person_a.id_tail in html and "王小明" not in html
    assert "三坊超市" in html and "data-clock" in html
    assert "no-cache" in response["Cache-Control"]


def test_the_colour_shown_is_the_current_one(city, venue_a):
    from fangyi.health.models import Status

    Status.objects.filter(person=city.person_a).delete()
    current_status(city.person_a)
    Status.objects.filter(person=city.person_a).update(colour="red")
    response = resident_client(city.person_a).get(_page(_code(venue_a)))
    assert 'colour-red"' in response.content.decode()
    assert CheckIn.objects.get().colour == "red"


def test_reloading_the_page_is_one_visit(city, venue_a):
    client = resident_client(city.person_a)
    page = _page(_code(venue_a))
    client.get(page)
    client.get(page)
    assert CheckIn.objects.count() == 1


def _tampered(text: str) -> str:
    # A character in the middle of the Base45 body changes the signed bytes.
    middle = len(text) // 2
    replacement = "A" if text[middle] != "A" else "B"
    return text[:middle] + replacement + text[middle + 1 :]


@pytest.mark.parametrize(
    ("make", "status", "words"),
    [
        (lambda venue: _tampered(_code(venue)), 400, "无法识别这个场所码"),
        (lambda venue: _code(venue)[:-6], 400, "无法识别这个场所码"),
        (
            lambda venue: _place_code_signed(
                venue, issued=int(time.time()) - 7200, expires=int(time.time()) - 60
            ),
            400,
            "已过期",
        ),
        (
            lambda venue: _place_code_signed(
                venue, issued=int(time.time()) + 3600, expires=int(time.time()) + 7200
            ),
            400,
            "尚未生效",
        ),
        (lambda venue: "FYP1:HELLO", 400, "无法识别这个场所码"),
        (lambda venue: "https://evil.example/", 400, "无法识别这个场所码"),
        (lambda venue: "", 400, "请用手机相机扫描"),
    ],
)
def test_a_bad_place_code_gets_a_clear_page_and_records_nothing(city, venue_a, make, status, words):
    for client in (Client(), resident_client(city.person_a)):
        response = client.get(_page(make(venue_a)))
        assert response.status_code == status
        html = response.content.decode()
        assert "无法签到" in html and words in html
    assert not CheckIn.objects.exists()


def test_a_person_code_is_not_a_place_code(city, venue_a):
    person_code = codes.issue_display_code(person_id=city.person_a.pk).text
    response = resident_client(city.person_a).get(_page(person_code))
    assert response.status_code == 400
    assert not CheckIn.objects.exists()


def test_a_stopped_venue_checks_no_one_in(city, leader_a, venue_a):
    text = _code(venue_a)
    services.deactivate_venue(actor=leader_a, venue=venue_a)
    response = resident_client(city.person_a).get(_page(text))
    assert response.status_code == 404 and "已停用" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_place_code_of_no_venue_checks_no_one_in(city):
    text, _expires = codes.issue_place_code(
        subject="no-such-venue", venue_name="假场所", venue_kind="other", region_code="350102"
    )
    response = resident_client(city.person_a).get(_page(text))
    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_the_page_is_in_english_too(city, venue_a):
    client = resident_client(city.person_a)
    client.cookies["django_language"] = "en"
    response = client.get(_page(_code(venue_a)))
    assert response.status_code == 200 and '<html lang="en">' in response.content.decode()
