"""Health's stored colour counts (ColourCount, kept by triggers on health_status) equal the
status rows grouped by path and colour after every kind of write: the recompute's first
computation and its upserts, the ORM's saves and deletes, raw updates and bulk deletes."""

import pytest
from django.db import connection
from django.db.models import Count

from fangyi.health import counts
from fangyi.health.models import ColourCount, Status
from fangyi.health.recompute import recompute_all
from fangyi.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def grouped() -> dict[tuple[str, str], int]:
    return {
        (path, colour): n
        for path, colour, n in Status.objects.values_list("region_path", "colour")
        .annotate(n=Count("pk"))
        .order_by()
    }


def stored() -> dict[tuple[str, str], int]:
    return {(path, colour): n for path, colour, n in counts.colour_counts()}


def test_the_counts_follow_every_kind_of_status_write(city):
    recompute_all()
    assert (
        stored()
        == grouped()
        == {
            (city.building_a.path, "green"): 1,
            (city.building_b.path, "green"): 1,
        }
    )

    status = Status.objects.get(person=city.person_a)
    status.colour = "red"
    status.save()
    assert stored() == grouped()

    Status.objects.filter(person=city.person_b).update(
        region_path=city.building_a.path, colour="yellow"
    )
    assert (
        stored()
        == grouped()
        == {
            (city.building_a.path, "red"): 1,
            (city.building_a.path, "yellow"): 1,
        }
    )

    # A recompute's upsert puts both back as the rules say.
    recompute_all()
    assert stored() == grouped()

    with connection.cursor() as cursor:
        cursor.execute("UPDATE health_status SET colour = 'orange'")
    assert stored() == grouped()

    Person.objects.filter(pk=city.person_a.pk).delete()
    assert stored() == grouped() == {(city.building_b.path, "orange"): 1}

    Status.objects.all().delete()
    assert stored() == grouped() == {}
    # Paths counted down to nothing keep a zero row, which no reader returns.
    assert set(ColourCount.objects.values_list("count", flat=True)) == {0}


def test_the_region_page_tally_reads_the_stored_counts(city):
    recompute_all()
    Status.objects.filter(person=city.person_b).update(colour="red")

    tally = counts._count_statuses(city.community)

    assert tally == {
        "total": {"green": 1, "red": 1},
        "children": {city.grid_a.path: {"green": 1}, city.grid_b.path: {"red": 1}},
    }
