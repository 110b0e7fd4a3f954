"""A resident to try the portal with: in the demo grid worker's grid, green, and the only
person registered with their mobile number."""

from django.db.models import Count

from fangyi.health.models import Colour, Status
from fangyi.people.models import Person
from fangyi.regions.models import Level

from .staff import _first_region


def demo_resident() -> Person | None:
    grid = _first_region(Level.GRID)
    shared = (
        Person.objects.filter(region_path__startswith=grid.path)
        .exclude(phone="")
        .values("phone")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("phone")
    )
    green = Status.objects.filter(colour=Colour.GREEN).values("person_id")
    return (
        Person.objects.filter(region_path__startswith=grid.path, pk__in=green)
        .exclude(phone="")
        .exclude(phone__in=shared)
        .order_by("region_path", "id_number")
        .first()
    )
