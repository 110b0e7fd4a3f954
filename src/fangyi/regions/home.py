"""What the region tree puts on the home page, and the grid page as a starting screen."""

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import ngettext

from fangyi.core.areas import Todo, TodoItem
from fangyi.core.permissions import VIEW, assignments_of

from .filters import top_regions
from .models import Region

# A commander's city has a handful of districts; a list longer than this is not a summary.
SHOWN_REGIONS = 12


def my_regions(user) -> Todo:
    """The roots of the user's part of the tree, with their stored counts."""
    regions = list(top_regions(user)[: SHOWN_REGIONS + 1])
    items = [
        TodoItem(
            label=region.name,
            url=reverse("regions:detail", args=[region.code]),
            detail=" · ".join(
                (
                    ngettext("%(residents)s人", "%(residents)s人", region.resident_count)
                    % {"residents": number_format(region.resident_count, force_grouping=True)},
                    ngettext("%(households)s户", "%(households)s户", region.household_count)
                    % {"households": number_format(region.household_count, force_grouping=True)},
                )
            ),
        )
        for region in regions[:SHOWN_REGIONS]
    ]
    return Todo(items=items, more=len(regions) > SHOWN_REGIONS)


def own_grid(user) -> str | None:
    """The page of the one region a grid worker, leader or volunteer works in; None when they
    work in several, who then get the home page's overview."""
    paths = {path for _role, path in assignments_of(user)}
    if len(paths) != 1:
        return None
    region = Region.objects.restrict(user, VIEW).filter(path__in=paths).first()
    return reverse("regions:detail", args=[region.code]) if region else None
