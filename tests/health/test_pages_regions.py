"""Counts of colours per region on the region page: grouped in the database, cached a minute
until a colour under the region changes."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from fangyi.health import recompute, services
from fangyi.health.models import FactKind, Status
from fangyi.regions.services import refresh_counts
from tests.support import signed_in

from ..factories import HouseholdFactory, PersonFactory, staff

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def empty_cache(db):
    # Counts are cached by region path, and every test's city has the same paths.
    cache.clear()
    yield
    cache.clear()


def _counts(client, region) -> str:
    response = client.get(reverse("health:region-counts", args=[region.code]), **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def _child(html: str, region) -> dict[str, int]:
    """The counts shown on a child region's row, by colour."""
    row = html.split(f'data-region="{region.code}"', 1)[1].split("</li>", 1)[0]
    return {colour: int(n) for colour, n in re.findall(r'data-colour="(\w+)"[^>]*>(\d+)<', row)}


@pytest.fixture
def coloured_city(city, worker_a):
    """person_a red (positive), a second resident of building_a green, person_b not computed."""
    household = HouseholdFactory(building=city.building_a, room="102")
    PersonFactory(household=household, name="赵六")
    refresh_counts()
    services.record_fact(
        actor=worker_a,
        source="manual",
        person=city.person_a,
        kind=FactKind.TEST_RESULT,
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
        outcome="positive",
        variant="single",
    )
    recompute.recompute_under([city.grid_a.path])
    for region in (city.community, city.grid_a, city.grid_b):
        region.refresh_from_db()
    return city


def test_region_page_loads_the_counts_lazily(city, officer):
    html = signed_in(officer).get(reverse("regions:detail", args=[city.community.code]))
    url = reverse("health:region-counts", args=[city.community.code])
    html = html.content.decode()
    assert f'hx-get="{url}"' in html and f'<a href="{url}">' in html


def test_counts_per_colour_and_per_child(coloured_city, officer):
    city = coloured_city
    assert Status.objects.count() == 2
    html = _counts(signed_in(officer), city.community)
    assert "<html" not in html
    total = html.split('data-region="350102001001"', 1)[1].split("</div>", 1)[0]
    assert "绿码 1" in total and "红码 1" in total and "黄码 0" in total
    assert "未计算 1" in total
    assert _child(html, city.grid_a) == {"green": 1, "yellow": 0, "red": 1, "uncounted": 0}
    assert _child(html, city.grid_b) == {"green": 0, "yellow": 0, "red": 0, "uncounted": 1}
    assert "橙码" not in html


def test_counts_are_cached_while_no_colour_is_recomputed(coloured_city, officer):
    city = coloured_city
    client = signed_in(officer)
    assert "红码 1" in _counts(client, city.grid_a)
    # Written behind the recompute's back: the cached tally still stands.
    Status.objects.filter(person=city.person_a).update(colour="green")
    assert "红码 1" in _counts(client, city.grid_a)
    cache.clear()
    assert "红码 0" in _counts(client, city.grid_a)


def _reds(client, region) -> str:
    total = _counts(client, region).split(f'data-region="{region.code}"', 1)[1]
    return re.search(r"红码 (\d+)", total).group(1)


def test_a_drawn_zone_is_counted_at_once(city, officer):
    recompute.recompute_under([city.community.path])
    client = signed_in(officer)
    assert _reds(client, city.building_a) == "0" and _reds(client, city.community) == "0"
    zone = services.draw_zone(
        actor=officer, kind="high", regions=[city.building_a], reason="确诊病例居住"
    )
    assert _reds(client, city.building_a) == "1" and _reds(client, city.community) == "1"
    services.lift_zone(actor=officer, zone=zone, reason="连续7天无新增")
    assert _reds(client, city.building_a) == "0"
    assert "黄码 1" in _counts(client, city.building_a)


def test_a_recorded_fact_is_counted_at_once(city, officer, worker_a):
    recompute.recompute_under([city.community.path])
    client = signed_in(officer)
    assert _reds(client, city.grid_a) == "0"
    services.record_fact(
        actor=worker_a,
        source="manual",
        person=city.person_a,
        kind=FactKind.TEST_RESULT,
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
        outcome="positive",
        variant="single",
    )
    assert _reds(client, city.grid_a) == "1" and _reds(client, city.street) == "1"


def test_counts_are_renewed_again_at_commit(city, officer, django_capture_on_commit_callbacks):
    """A page in another process may count the rows before the commit; the stamp it cached
    under is replaced once the commit lands."""
    recompute.recompute_under([city.community.path])
    client = signed_in(officer)
    with django_capture_on_commit_callbacks() as callbacks:
        services.draw_zone(actor=officer, kind="high", regions=[city.building_a], reason="病例")
        Status.objects.filter(person=city.person_a).update(colour="green")
        assert _reds(client, city.building_a) == "0"
        Status.objects.filter(person=city.person_a).update(colour="red")
    assert _reds(client, city.building_a) == "0"
    for callback in callbacks:
        callback()
    assert _reds(client, city.building_a) == "1"


def test_a_building_has_no_child_rows(coloured_city, worker_a):
    html = _counts(signed_in(worker_a), coloured_city.building_a)
    assert "list-group-item" not in html and "红码 1" in html


def test_counts_follow_region_scope(city, worker_a):
    client = signed_in(worker_a)
    assert client.get(reverse("health:region-counts", args=[city.grid_b.code])).status_code == 404
    assert (
        client.get(reverse("health:region-counts", args=[city.community.code])).status_code == 404
    )


def test_staff_who_may_not_view_people_get_no_counts(city):
    checkpoint = staff("checkpoint", city.grid_a, username="gate")
    client = signed_in(checkpoint)
    url = reverse("health:region-counts", args=[city.grid_a.code])
    assert client.get(url, **HTMX).content == b""
    assert client.get(url).status_code == 403


def test_officers_get_a_link_to_draw_a_zone_here(city, officer, worker_a):
    draw = f"{reverse('health:zone-create')}?region={city.grid_a.code}"
    assert draw in _counts(signed_in(officer), city.grid_a)
    assert draw not in _counts(signed_in(worker_a), city.grid_a)


def test_the_counts_page_works_without_javascript(city, officer):
    response = signed_in(officer).get(reverse("health:region-counts", args=[city.street.code]))
    html = response.content.decode()
    assert "<html" in html and "健康码统计" in html and "未计算 2" in html
