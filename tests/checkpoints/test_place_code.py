"""A venue's place code: a signed FYP1: token naming the venue, printed as a QR of a link."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fangyi.checkpoints import services
from fangyi.codes import format, keys
from tests.support import signed_in


def test_the_place_code_verifies_as_a_place_and_names_the_venue(city, worker_a, venue_a):
    code = services.place_code(user=worker_a, venue=venue_a)
    assert code.text.startswith("FYP1:")
    checked = format.verify(code.text, keys.verification_keys(), place=True)
    assert checked.valid, checked.reason
    assert checked.claims["kind"] == "place"
    assert checked.claims["venue_name"] == "三坊超市"
    assert checked.claims["venue_kind"] == "supermarket"
    assert checked.claims["region"] == city.grid_a.code
    assert checked.claims["sub"] == venue_a.sub
    assert not format.verify(code.text, keys.verification_keys(), place=False).valid


def test_only_those_who_see_the_venue_may_print_it(city, worker_b, venue_a):
    with pytest.raises(PermissionDenied):
        services.place_code(user=worker_b, venue=venue_a)


def test_a_stopped_venue_has_no_place_code(city, leader_a, venue_a):
    services.deactivate_venue(actor=leader_a, venue=venue_a)
    with pytest.raises(ValidationError):
        services.place_code(user=leader_a, venue=venue_a)


def test_the_check_in_link_carries_the_code(city, worker_a, venue_a):
    code = services.place_code(user=worker_a, venue=venue_a)
    link = services.check_in_link(origin="https://fy.example", text=code.text)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://fy.example/checkpoints/v/"
    assert parse_qs(parts.query)["c"] == [code.text]


def test_the_printable_page_shows_a_qr_of_the_link_and_the_venue(city, worker_a, venue_a):
    response = signed_in(worker_a).get(reverse("checkpoints:place-code", args=[venue_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and "三坊超市" in html and "请用手机相机扫码签到" in html


def test_the_printable_page_is_404_outside_scope(city, worker_b, venue_a):
    response = signed_in(worker_b).get(reverse("checkpoints:place-code", args=[venue_a.pk]))
    assert response.status_code == 404
