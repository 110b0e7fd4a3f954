"""Screening: people sampled on the day and the positives among them."""

from django.utils.translation import gettext_lazy as _

from fangyi.health.models import TestOutcome
from fangyi.screening.models import Sample

from .base import Figure, Source, grouped
from .isolation import day_range

GROUP = _("核酸筛查")

SAMPLED = Figure(
    key="screening.sampled",
    name=_("当日采样"),
    unit=_("人次"),
    group=GROUP,
    list_url="screening:sample-list",
    day_filter=True,
    headline=True,
)
POSITIVE = Figure(
    key="screening.positive",
    name=_("当日采样阳性"),
    unit=_("人次"),
    group=GROUP,
    list_url="screening:sample-list",
    list_query=(("result", "positive"),),
    day_filter=True,
)


def compute(day, now, within: str) -> dict[str, dict[str, float]]:
    start, end = day_range(day)
    by_result = grouped(
        Sample.objects.filter(sampled_at__gte=start, sampled_at__lt=end), within, by="result"
    )
    everyone: dict[str, float] = {}
    for counts in by_result.values():
        for path, count in counts.items():
            everyone[path] = everyone.get(path, 0) + count
    return {SAMPLED.key: everyone, POSITIVE.key: by_result.get(TestOutcome.POSITIVE, {})}


SOURCE = Source(figures=(SAMPLED, POSITIVE), compute=compute)
