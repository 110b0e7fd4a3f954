"""The phone sheet: everyone of a site (or of the worker's grids) for the slot, one tap for
"normal", a number only where not, "the rest are normal", one batch; few queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangyi.core.permissions import assignments_of
from fangyi.fieldwork.models import Task, TaskKind
from fangyi.isolation.followup import services
from fangyi.isolation.models import CheckIn
from tests.factories import PersonFactory, staff
from tests.support import signed_in

from .followup_support import quarantine_site, room, running_order

SHEET = "/isolation/check-ins/"


@pytest.fixture
def site(city):
    return quarantine_site(city.grid_a, "一号隔离点")


@pytest.fixture
def people(city, site):
    return [
        running_order(
            PersonFactory(household=city.household_a, name=f"测试{n}"),
            site=site,
            room=room(site, f"{n:03d}"),
        )
        for n in range(5)
    ]


@pytest.fixture
def site_staff(city):
    return staff("site_staff", city.grid_a, username="site_staff")


def test_the_sheet_lists_everyone_of_the_site_masked(site, people, site_staff):
    page = signed_in(site_staff).get(SHEET, {"site": str(site.pk), "slot": "1"})

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('value="ok"') == 5
    assert "测*" in html and "测试0" not in html
    assert "data-confirm-rest" in html


def test_one_tap_a_number_where_not_normal_and_the_rest_normal(site, people, site_staff):
    client = signed_in(site_staff)
    unwell, tapped = people[0], people[1]

    response = client.post(
        f"{SHEET}?site={site.pk}&slot=1",
        {
            f"s-{unwell.pk.hex}": "unwell",
            f"t-{unwell.pk.hex}": "38.2",
            f"y-{unwell.pk.hex}": ["cough"],
            f"s-{tapped.pk.hex}": "ok",
            "rest": "1",
        },
    )

    assert response.status_code == 302
    stored = {check_in.order_id: check_in for check_in in CheckIn.objects.filter(slot=1)}
    assert set(stored) == {order.pk for order in people}
    assert stored[unwell.pk].fever and stored[unwell.pk].symptoms == ["cough"]
    assert not stored[tapped.pk].fever and stored[tapped.pk].temperature is None
    assert Task.objects.filter(kind=TaskKind.FEVER_REFERRAL).count() == 1


def test_without_the_rest_only_what_was_tapped_is_recorded(site, people, site_staff):
    response = signed_in(site_staff).post(
        f"{SHEET}?site={site.pk}&slot=1", {f"s-{people[2].pk.hex}": "ok"}
    )

    assert response.status_code == 302
    assert list(CheckIn.objects.values_list("order_id", flat=True)) == [people[2].pk]


def test_a_bad_number_records_nobody_and_says_whose(site, people, site_staff):
    response = signed_in(site_staff).post(
        f"{SHEET}?site={site.pk}&slot=1",
        {
            f"s-{people[0].pk.hex}": "unwell",
            f"t-{people[0].pk.hex}": "55",
            f"s-{people[1].pk.hex}": "ok",
        },
    )

    assert response.status_code == 422
    assert "34.0" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_another_sites_sheet_is_not_found(city, site_staff):
    other = quarantine_site(city.grid_b, "二号隔离点")

    assert signed_in(site_staff).get(SHEET, {"site": str(other.pk)}).status_code == 404


def test_a_grid_workers_sheet_is_the_home_isolated_of_their_grid(city, worker_a):
    running_order(city.person_a)
    running_order(city.person_b)

    html = signed_in(worker_a).get(SHEET).content.decode()

    assert "王*明" in html and "李*英" not in html


def test_the_sheet_takes_the_same_few_queries_for_any_number_of_people(
    city, site, people, site_staff
):
    client = signed_in(site_staff)
    client.get(SHEET, {"site": str(site.pk)})
    with CaptureQueriesContext(connection) as few:
        client.get(SHEET, {"site": str(site.pk)})
    for n in range(20):
        running_order(
            PersonFactory(household=city.household_a), site=site, room=room(site, f"9{n:02d}")
        )
    with CaptureQueriesContext(connection) as many:
        client.get(SHEET, {"site": str(site.pk)})

    assert len(many) == len(few) <= 12


def test_recording_a_batch_takes_a_fixed_number_of_statements(city, site, people, site_staff):
    items = [services.CheckInInput(order_id=order.pk) for order in people]
    assignments_of(site_staff)  # read once per request, whatever the batch
    with CaptureQueriesContext(connection) as few:
        services.record(actor=site_staff, items=items[:2], slot=1)
    with CaptureQueriesContext(connection) as more:
        services.record(actor=site_staff, items=items, slot=2)

    assert len(more) == len(few)


def test_the_sheet_in_english(site, people, site_staff):
    client = signed_in(site_staff)
    client.cookies["django_language"] = "en"

    html = client.get(SHEET, {"site": str(site.pk)}, headers={"accept-language": "en"})

    text = html.content.decode()
    assert "Check-in sheet" in text and "Normal" in text and "The rest are normal" in text


def test_site_staff_start_at_their_sites_sheet(city, site, people, site_staff):
    running_order(city.person_a)
    client = signed_in(site_staff)

    landing = client.get(reverse("core:home"))
    sheet = client.get(SHEET).content.decode()
    home = client.get(SHEET, {"site": "home"}).content.decode()

    assert landing.status_code == 302 and landing.url == reverse("followup:sheet")
    assert sheet.count('value="ok"') == 5 and "王*明" not in sheet
    assert home.count('value="ok"') == 1 and "王*明" in home
