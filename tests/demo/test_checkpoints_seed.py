"""`fangyi seed --demo-staff` registers demo venues in the checkpoint login's community and the
first grid, with a few days of check-ins there, once.

Run on both databases (the check-ins go in with bulk_create, the colocated query is a
self-join each database plans its own way).
"""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from fangyi.accounts.models import User
from fangyi.checkpoints import services
from fangyi.checkpoints.models import CheckIn, Venue, VenueKind
from fangyi.core.models import ObjectChange
from fangyi.core.paths import under
from fangyi.core.permissions import VIEW
from fangyi.demo import checkpoints as demo_checkpoints
from fangyi.demo.residents import demo_resident
from fangyi.health.models import Colour, Status
from fangyi.people.models import Person
from fangyi.regions.models import Level, Region

RESIDENTS = 2000


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed", "--residents", str(RESIDENTS), "--seed", "5", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def summary(db):
    return json.loads(seed("--demo-staff", "--json"))


def first(level: Level) -> Region:
    return Region.objects.filter(level=level).order_by("path").first()


def test_venues_in_the_checkpoints_community_and_the_first_grid(summary):
    community, grid = first(Level.COMMUNITY), first(Level.GRID)
    assert summary["checkpoints"]["venues"] == summary["checkpoints"]["venues_created"] == 6
    venues = list(Venue.objects.select_related("region"))
    assert len(venues) == 6
    assert {v.region for v in venues} == {community, grid}
    stem = community.name.removesuffix("社区")
    assert all(v.name.startswith(stem) and v.address and v.active for v in venues)
    assert {v.kind for v in venues} <= set(VenueKind.values)
    assert len({v.sub for v in venues}) == 6
    officer = User.objects.get(username="officer")
    assert {v.created_by for v in venues} == {officer}
    audited = ObjectChange.objects.filter(
        object_type="checkpoints.venue", action=ObjectChange.CREATE, actor=officer
    )
    assert set(audited.values_list("object_id", flat=True)) == {str(v.pk) for v in venues}
    # The scanning page offers them to the demo checkpoint; the grid worker sees its grid's.
    checkpoint = User.objects.get(username="checkpoint")
    assert Venue.objects.restrict(checkpoint, VIEW).count() == 6
    worker = User.objects.get(username="grid_worker")
    assert {v.region for v in Venue.objects.restrict(worker, VIEW)} == {grid}


def test_check_ins_of_the_communitys_residents_over_the_last_days(summary):
    now = timezone.now()
    community = first(Level.COMMUNITY)
    visits = list(CheckIn.objects.values_list("person_id", "venue_id", "at", "colour"))
    assert len(visits) == summary["checkpoints"]["checkins_created"] > RESIDENTS // 2
    assert {venue for _p, venue, _at, _c in visits} == set(
        Venue.objects.values_list("pk", flat=True)
    )
    assert all(now - datetime.timedelta(days=5) < at <= now for _p, _v, at, _c in visits)
    people = {person for person, _v, _at, _c in visits}
    resident = demo_resident()
    assert resident.pk in people
    assert set(
        Person.objects.filter(pk__in=people - {resident.pk})
        .filter(under("region_path", community.path))
        .values_list("pk", flat=True)
    ) == people - {resident.pk}
    colours = dict(Status.objects.values_list("person_id", "colour"))
    assert all(colour == colours.get(person, Colour.GREEN) for person, _v, _at, colour in visits)


def test_the_demo_resident_has_company_for_the_colocated_query(summary):
    now = timezone.now()
    found = services.colocated(
        user=User.objects.get(username="officer"),
        person=demo_resident(),
        start=now - datetime.timedelta(days=5),
        end=now + datetime.timedelta(minutes=1),
        window_minutes=30,
    )
    assert found.contacts


def test_a_second_run_adds_neither_venues_nor_check_ins(summary):
    venues = sorted(Venue.objects.values_list("pk", flat=True))
    visits = CheckIn.objects.count()
    again = json.loads(seed("--demo-staff", "--json"))
    assert again["checkpoints"] == {"venues": 6, "venues_created": 0, "checkins_created": 0}
    assert sorted(Venue.objects.values_list("pk", flat=True)) == venues
    assert CheckIn.objects.count() == visits
    assert "Demo venues: 6 (0 new), 0 new check-ins." in seed("--demo-staff")


def test_a_big_community_still_gets_only_so_many_visitors(db, monkeypatch):
    monkeypatch.setattr(demo_checkpoints, "MAX_VISITORS", 40)
    seed("--demo-staff")
    people = set(CheckIn.objects.values_list("person_id", flat=True))
    assert 0 < len(people) <= 41


def test_without_demo_staff_there_are_no_demo_venues(db):
    summary = json.loads(seed("--json"))
    assert "checkpoints" not in summary
    assert not Venue.objects.exists() and not CheckIn.objects.exists()
