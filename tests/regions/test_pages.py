from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.support import signed_in


def test_tree_starts_at_the_users_top_regions(city, officer):
    page = signed_in(officer).get(reverse("regions:tree")).content.decode()
    assert city.street.name in page
    assert city.district.name not in page
    assert reverse("regions:children", args=[city.street.code]) in page


def test_children_are_loaded_with_their_counts(city, officer):
    city.grid_a.resident_count, city.grid_a.household_count = 321, 123
    city.grid_a.save()
    response = signed_in(officer).get(reverse("regions:children", args=[city.community.code]))
    page = response.content.decode()
    assert city.grid_a.name in page and city.grid_b.name in page
    assert "321" in page and "123" in page
    assert "<html" not in page


def test_region_page_shows_breadcrumbs_children_and_masked_people(city, officer):
    page = signed_in(officer).get(reverse("regions:detail", args=[city.community.code]))
    html = page.content.decode()
    assert city.street.name in html
    assert reverse("regions:detail", args=[city.street.code]) in html
    assert city.grid_a.name in html
    assert "王*明" in html and "王小明" not in html
    assert "李*英" in html


def test_region_page_never_counts_people(city, officer):
    client = signed_in(officer)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("regions:detail", args=[city.community.code]))
        client.get(reverse("regions:tree"))
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


def test_worker_cannot_open_another_grid(city, worker_a):
    client = signed_in(worker_a)
    assert client.get(reverse("regions:detail", args=[city.grid_b.code])).status_code == 404
    assert client.get(reverse("regions:children", args=[city.grid_b.code])).status_code == 404
    assert client.get(reverse("regions:detail", args=["no-such-code"])).status_code == 404


def test_worker_sees_ancestors_as_plain_text(city, worker_a):
    html = signed_in(worker_a).get(reverse("regions:detail", args=[city.grid_a.code]))
    html = html.content.decode()
    assert city.community.name in html
    assert reverse("regions:detail", args=[city.community.code]) not in html


def test_building_page_lists_households_and_offers_to_add_one(city, worker_a):
    html = signed_in(worker_a).get(reverse("regions:detail", args=[city.building_a.code]))
    html = html.content.decode()
    assert reverse("people:household-detail", args=[city.household_a.pk]) in html
    assert f"{reverse('people:household-create')}?building={city.building_a.code}" in html


def test_htmx_next_page_returns_rows_only(city, officer, settings):
    settings.FANGYI_PAGE_SIZE = 1
    client = signed_in(officer)
    first = client.get(reverse("regions:detail", args=[city.community.code])).context
    response = client.get(
        reverse("regions:detail", args=[city.community.code]),
        {"cursor": first["next_cursor"]},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "李*英" in html and "王*明" not in html


def test_bad_cursor_on_a_region_page_falls_back_to_the_first_page(city, officer):
    response = signed_in(officer).get(
        reverse("regions:detail", args=[city.community.code]), {"cursor": "!!"}
    )
    assert response.status_code == 200
    assert "王*明" in response.content.decode()
