"""A resident to try the portal with: green, the only person registered with their mobile
number, and as close to the demo grid worker as there is one (their grid, else their
community, else anywhere in the city — the demo's zones may cover the whole first grid)."""

from django.db.models import Count

from fangyi.health.models import Colour, Status
from fangyi.people.models import Person
from fangyi.regions.models import Level

from .staff import _first_region


def _green_with_own_phone(path: str) -> Person | None:
    shared = (
        Person.objects.filter(region_path__startswith=path)
        .exclude(phone="")
        .values("phone")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("phone")
    )
    green = Status.objects.filter(region_path__startswith=path, colour=Colour.GREEN)
    return (
        Person.objects.filter(region_path__startswith=path, pk__in=green.values("person_id"))
        .exclude(phone="")
        .exclude(phone__in=shared)
        .order_by("region_path", "id_number")
        .first()
    )


def demo_resident() -> Person | None:
    grid = _first_region(Level.GRID)
    for path in (grid.path, grid.path[:12], grid.path[:4]):
        found = _green_with_own_phone(path)
        if found is not None:
            return found
    return None
