import datetime

import pytest
from django.utils import timezone

from fangyi.core import audit
from fangyi.core.models import ObjectChange
from fangyi.core.pagination import encode_cursor
from fangyi.people.models import Person

from ..factories import HouseholdFactory, PersonFactory


def walk(client, url: str, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        query = params | ({"cursor": cursor} if cursor else {})
        response = client.get(url, query)
        assert response.status_code == 200, response.content
        page = response.json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_person_pages_hold_every_person_exactly_once(as_officer, city):
    for building in (city.building_a, city.building_b):
        for room in range(3):
            PersonFactory.create_batch(
                3, household=HouseholdFactory(building=building, room=f"5{room}")
            )

    ids = [item["id"] for item in walk(as_officer, "/api/v1/persons", limit=4)]

    assert len(ids) == len(set(ids)) == Person.objects.count() == 20


def test_pages_keep_their_filters(as_officer, city):
    PersonFactory.create_batch(5, household=city.household_b)

    ids = [
        item["id"] for item in walk(as_officer, "/api/v1/persons", region=city.grid_b.code, limit=2)
    ]

    assert set(ids) == {str(p.pk) for p in Person.objects.filter(household=city.household_b)}
    assert len(ids) == 6


def test_household_and_region_pages(as_officer, city):
    HouseholdFactory.create_batch(4, building=city.building_a)

    households = walk(as_officer, "/api/v1/households", limit=2)
    regions = walk(as_officer, "/api/v1/regions", limit=2)

    assert len({h["id"] for h in households}) == len(households) == 6
    assert [r["code"] for r in regions] == sorted(r["code"] for r in regions)
    assert len(regions) == 6  # the street, its community, two grids, two buildings


def test_audit_pages_run_newest_first_through_rows_of_the_same_instant(as_officer, city):
    instant = timezone.now() - datetime.timedelta(hours=1)
    ObjectChange.objects.bulk_create(
        [
            audit.change_row(
                actor=None,
                action=ObjectChange.UPDATE,
                obj=city.person_a,
                before={"n": n},
                after={"n": n + 1},
                region_path=city.person_a.region_path,
                time=instant,
            )
            for n in range(7)
        ]
    )
    newest = audit.record_change(
        actor=None,
        action=ObjectChange.UPDATE,
        obj=city.person_b,
        before=None,
        after=None,
        region_path=city.person_b.region_path,
    )

    items = walk(as_officer, "/api/v1/audit/changes", limit=3)

    assert items[0]["id"] == str(newest.pk)
    assert len({i["id"] for i in items}) == len(items) == 8
    times = [i["time"] for i in items]
    assert times == sorted(times, reverse=True)


@pytest.mark.parametrize(
    ("url", "cursor"),
    [
        ("/api/v1/persons", "not a cursor"),
        ("/api/v1/persons", encode_cursor(["350102"])),
        ("/api/v1/persons", encode_cursor(["350102", "not-a-uuid"])),
        ("/api/v1/persons", encode_cursor(["350102", 1.5])),
        ("/api/v1/regions", encode_cursor([{"path": 1}])),
        ("/api/v1/audit/changes", encode_cursor(["yesterday", "00000000000000000000000000000000"])),
        ("/api/v1/audit/access", encode_cursor([20220314, "00000000000000000000000000000000"])),
    ],
)
def test_a_cursor_this_server_did_not_issue_is_422(as_officer, city, url, cursor):
    response = as_officer.get(url, {"cursor": cursor})

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "cursor"
