"""New cases of the day, found under control (in quarantine or a sealed zone) or in the
community, as investigations count them (chains.found_cases)."""

from django.utils.translation import gettext_lazy as _

from fangyi.core.paths import under
from fangyi.health.models import Fact
from fangyi.investigations.chains import found_cases

from .base import Figure, Source, roll_up

CASES = _("例")
GROUP = _("新增病例")

CONTROLLED = Figure(
    key="cases.controlled",
    name=_("管控内发现"),
    unit=CASES,
    group=GROUP,
    list_url="investigations:list",
    list_query=(("found", "controlled"),),
    day_filter=True,
    headline=True,
)
COMMUNITY = Figure(
    key="cases.community",
    name=_("社会面发现"),
    unit=CASES,
    group=GROUP,
    list_url="investigations:list",
    list_query=(("found", "community"),),
    day_filter=True,
    headline=True,
)
NEW_CASES = Figure(
    key="cases.new",
    name=_("新增病例"),
    unit=CASES,
    group=GROUP,
    list_url="investigations:list",
    day_filter=True,
    headline=True,
)


def compute(day, now, within: str) -> dict[str, dict[str, float]]:
    found = found_cases(Fact.objects.filter(under("region_path", within)), day)
    return {
        NEW_CASES.key: roll_up(((case.region_path, 1) for case in found.values()), within),
        CONTROLLED.key: roll_up(
            ((case.region_path, 1) for case in found.values() if case.controlled), within
        ),
        COMMUNITY.key: roll_up(
            ((case.region_path, 1) for case in found.values() if not case.controlled), within
        ),
    }


SOURCE = Source(figures=(NEW_CASES, CONTROLLED, COMMUNITY), compute=compute)
