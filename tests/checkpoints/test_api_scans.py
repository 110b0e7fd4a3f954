"""Scans uploaded by checkpoint phones: idempotent on client_id, validated item by item,
only by checkpoint staff, filed under the venue's region, listed within scope."""

import datetime
import uuid

import pytest
from django.utils import timezone

from fangyi.checkpoints.models import Scan
from fangyi.codes.services import subject_for
from tests.factories import staff
from tests.support import client_for, send

SCANS = "/api/v1/checkpoints/scans"


def _scan(**fields) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "scanned_at": (timezone.now() - datetime.timedelta(minutes=3)).isoformat(),
        "result": "valid",
        "kind": "display",
        "colour": "green",
        "sub": "",
        "kid": "AAAAAAAAAAA",
        "revocation_hash": "B" * 22,
        "venue": None,
    } | fields


def _fields(response) -> set[str | None]:
    assert response.status_code == 422, response.content
    return {error["field"] for error in response.json()["detail"]}


def test_scans_are_stored_once_however_often_uploaded(city, guard_a, venue_a):
    client = client_for(guard_a)
    batch = [_scan(venue=str(venue_a.pk)) for _ in range(3)]
    first = send(client, "post", SCANS, {"scans": batch})
    assert first.status_code == 201 and first.json() == {"received": 3, "new": 3}
    again = send(client, "post", SCANS, {"scans": [*batch, _scan()]})
    assert again.status_code == 201 and again.json() == {"received": 4, "new": 1}
    assert Scan.objects.count() == 4


def test_a_client_id_twice_in_one_batch_is_one_scan(city, guard_a):
    scan = _scan()
    response = send(client_for(guard_a), "post", SCANS, {"scans": [scan, scan]})
    assert response.json() == {"received": 2, "new": 1}
    assert Scan.objects.count() == 1


def test_a_scan_is_filed_under_its_venue_or_the_staffs_region(city, guard_a, venue_a):
    send(client_for(guard_a), "post", SCANS, {"scans": [_scan(venue=str(venue_a.pk)), _scan()]})
    at_venue = Scan.objects.get(venue__isnull=False)
    elsewhere = Scan.objects.get(venue__isnull=True)
    assert at_venue.venue == venue_a and at_venue.region_path == venue_a.region_path
    assert elsewhere.venue is None and elsewhere.region_path == city.grid_a.path
    assert {at_venue.staff, elsewhere.staff} == {guard_a}


def test_the_person_is_resolved_only_from_a_signed_code(city, guard_a):
    sub = subject_for(city.person_a.pk)
    batch = [
        _scan(sub=sub),
        _scan(sub=sub, result="expired"),
        _scan(sub=sub, result="bad_signature"),
        _scan(sub="unknown-pseudonym"),
    ]
    send(client_for(guard_a), "post", SCANS, {"scans": batch})
    persons = {scan.result + scan.sub[:3]: scan.person_id for scan in Scan.objects.all()}
    assert persons[f"valid{sub[:3]}"] == city.person_a.pk
    assert persons[f"expired{sub[:3]}"] == city.person_a.pk
    assert persons[f"bad_signature{sub[:3]}"] is None
    assert persons["validunk"] is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"scanned_at": "yesterday"}, "scans.1.scanned_at"),
        ({"result": "green"}, "scans.1.result"),
        ({"kind": "passport"}, "scans.1.kind"),
        ({"colour": "blue"}, "scans.1.colour"),
        ({"client_id": "not-a-uuid"}, "scans.1.client_id"),
        ({"venue": "not-a-uuid"}, "scans.1.venue"),
        ({"venue": str(uuid.uuid4())}, "scans.1.venue"),
        ({"sub": "x" * 65}, "scans.1.sub"),
        ({"sub": "a\x00b"}, "scans.1.sub"),
        ({"extra": 1}, "scans.1.extra"),
    ],
)
def test_a_bad_item_refuses_the_batch_naming_its_index(city, guard_a, fields, field):
    response = send(client_for(guard_a), "post", SCANS, {"scans": [_scan(), _scan(**fields)]})
    assert field in _fields(response)
    assert not Scan.objects.exists()


@pytest.mark.parametrize(
    "moment",
    [
        lambda now: now - datetime.timedelta(days=21, minutes=1),
        lambda now: now + datetime.timedelta(minutes=10),
    ],
)
def test_a_scan_too_old_or_in_the_future_is_refused(city, guard_a, moment):
    scan = _scan(scanned_at=moment(timezone.now()).isoformat())
    response = send(client_for(guard_a), "post", SCANS, {"scans": [scan]})
    assert _fields(response) == {"scans.0.scanned_at"}


def test_an_unreadable_code_is_stored_without_kind_or_colour(city, guard_a):
    scan = _scan(result="malformed", kind=None, colour=None, kid="", revocation_hash="")
    response = send(client_for(guard_a), "post", SCANS, {"scans": [scan]})
    assert response.status_code == 201
    stored = Scan.objects.get()
    assert (stored.result, stored.kind, stored.colour, stored.person) == ("malformed", "", "", None)


def test_a_scan_from_an_offline_fortnight_is_accepted(city, guard_a):
    scan = _scan(scanned_at=(timezone.now() - datetime.timedelta(days=20)).isoformat())
    response = send(client_for(guard_a), "post", SCANS, {"scans": [scan]})
    assert response.status_code == 201


def test_a_venue_out_of_scope_is_an_error_on_that_item(city, guard_a, venue_b):
    response = send(client_for(guard_a), "post", SCANS, {"scans": [_scan(venue=str(venue_b.pk))]})
    assert _fields(response) == {"scans.0.venue"}


@pytest.mark.parametrize("size", [0, 501])
def test_batch_size_is_bounded(city, guard_a, size):
    response = send(client_for(guard_a), "post", SCANS, {"scans": [_scan() for _ in range(size)]})
    assert _fields(response) == {"scans"}


def test_five_hundred_scans_go_in_one_batch(city, guard_a):
    response = send(client_for(guard_a), "post", SCANS, {"scans": [_scan() for _ in range(500)]})
    assert response.json() == {"received": 500, "new": 500}


@pytest.mark.parametrize("role", ["grid_worker", "officer", "volunteer"])
def test_only_checkpoint_staff_upload(city, role):
    user = staff(role, city.grid_a, username=f"u_{role}")
    response = send(client_for(user), "post", SCANS, {"scans": [_scan()]})
    assert response.status_code == 403
    assert not Scan.objects.exists()


def test_uploading_needs_a_token(city, client):
    response = send(client, "post", SCANS, {"scans": [_scan()]})
    assert response.status_code == 401


def test_scans_are_listed_newest_first_within_scope(city, guard_a, officer, venue_a):
    guard_b = staff("checkpoint", city.grid_b, username="guard_b")
    older = _scan(scanned_at=(timezone.now() - datetime.timedelta(hours=2)).isoformat())
    newer = _scan(venue=str(venue_a.pk))
    send(client_for(guard_a), "post", SCANS, {"scans": [older, newer]})
    send(client_for(guard_b), "post", SCANS, {"scans": [_scan()]})
    mine = client_for(guard_a).get(SCANS).json()
    assert [item["id"] for item in mine["items"]] == [newer["client_id"], older["client_id"]]
    assert mine["items"][0]["venue_name"] == "三坊超市" and mine["items"][0]["staff"] == "guard_a"
    assert len(client_for(officer).get(SCANS).json()["items"]) == 3
    page = client_for(officer).get(SCANS, {"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = client_for(officer).get(SCANS, {"limit": 2, "cursor": page["next_cursor"]}).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None


def test_a_grid_worker_lists_no_scans(city, guard_a, worker_a):
    send(client_for(guard_a), "post", SCANS, {"scans": [_scan()]})
    assert client_for(worker_a).get(SCANS).json()["items"] == []
