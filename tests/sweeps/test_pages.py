"""The sweeps pages: starting a sweep, its coverage with the unvisited doors, splitting
buildings, ending it after a confirmation, the sheet; Chinese and English."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from fangyi.sweeps.models import Sweep, SweepStatus
from tests.support import signed_in
from tests.sweeps.support import start, upload, visit

pytestmark = pytest.mark.django_db


def test_an_officer_starts_a_sweep_from_the_form(city, officer):
    client = signed_in(officer)
    assert client.get(reverse("sweeps:new")).status_code == 200
    deadline = (timezone.localtime() + timezone.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("sweeps:new"),
        {
            "title": "排查",
            "regions": city.grid_a.code,
            "deadline": deadline,
            "sections": ["members"],
        },
    )
    sweep = Sweep.objects.get()
    assert response["Location"] == sweep.get_absolute_url()
    assert sweep.household_count == 1


def test_a_region_outside_the_officers_street_is_said_on_the_form(city, officer):
    response = signed_in(officer).post(
        reverse("sweeps:new"),
        {
            "title": "排查",
            "regions": "350200",
            "deadline": "2030-01-01T10:00",
            "sections": ["members"],
        },
    )
    assert response.status_code == 200
    assert "不在您的辖区内" in response.content.decode()
    assert not Sweep.objects.exists()


def test_the_coverage_page_drills_down_to_the_unvisited_doors(city, officer):
    sweep = start(officer, city.community)
    upload(officer, sweep, visit(city.household_a))
    client = signed_in(officer)
    page = client.get(sweep.get_absolute_url()).content.decode()
    assert "1 / 2" in page and city.grid_a.name in page and city.grid_b.name in page
    grid = client.get(sweep.get_absolute_url(), {"region": city.grid_b.code}).content.decode()
    assert f'data-household="{city.household_b.pk}"' in grid
    assert f'data-household="{city.household_a.pk}"' not in grid


def test_ending_asks_first_and_then_ends(city, officer):
    sweep = start(officer, city.grid_a)
    client = signed_in(officer)
    assert "confirm(" in client.get(sweep.get_absolute_url()).content.decode()
    client.post(reverse("sweeps:end", args=[sweep.pk]))
    sweep.refresh_from_db()
    assert sweep.status == SweepStatus.ENDED


def test_a_leader_splits_buildings_on_the_page(city, officer, leader_a, worker_a):
    sweep = start(officer, city.community)
    client = signed_in(leader_a)
    page = client.get(reverse("sweeps:buildings", args=[sweep.pk])).content.decode()
    assert city.building_a.code in page and city.building_b.code not in page
    client.post(
        reverse("sweeps:buildings", args=[sweep.pk]),
        {"building": city.building_a.code, "assignee": str(worker_a.pk)},
    )
    assert sweep.assignments.get().assignee == worker_a


def test_the_sheet_says_what_the_phone_keeps(city, officer, worker_a):
    sweep = start(officer, city.grid_a)
    page = signed_in(worker_a).get(reverse("sweeps:sheet", args=[sweep.pk])).content.decode()
    assert "保存在这部手机" in page and "排查结束后自动清除" in page


def test_pages_in_english(city, officer):
    sweep = start(officer, city.grid_a)
    client = signed_in(officer)
    with translation.override("en"):
        page = client.get(sweep.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Visited / to visit" in page


@pytest.mark.parametrize(
    ("who", "region", "shown"),
    [
        ("officer", "community", True),
        ("leader_a", "grid_a", True),
        # The leader's export of the whole community would be refused.
        ("leader_a", "community", False),
        ("worker_a", "grid_a", False),
        ("volunteer_a", "grid_a", False),
    ],
)
def test_the_export_button_shows_only_where_the_user_may_export(
    city, officer, request, who, region, shown
):
    sweep = start(officer, city.community)
    user = request.getfixturevalue(who)
    page = signed_in(user).get(sweep.get_absolute_url(), {"region": getattr(city, region).code})
    assert page.status_code == 200
    assert ('id="export-coverage"' in page.content.decode()) is shown
