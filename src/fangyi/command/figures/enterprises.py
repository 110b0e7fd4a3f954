"""Enterprises back at work: registered, reopened, and their employees able to work. The
enterprises area counts them for every region at once (`enterprises.figures.by_region`, the
state of now: these figures describe a standing, not a day's events); the command centre keeps
the paths down to the grid, as every figure does."""

from django.utils.translation import gettext_lazy as _

from fangyi.enterprises import figures as counted

from .base import GRID_PATH, Figure, Source

ENTERPRISES = _("家")
PEOPLE = _("人")
GROUP = _("企业复工复产")

REGISTERED = Figure(key="enterprises.registered", name=_("登记企业"), unit=ENTERPRISES, group=GROUP)
REOPENED = Figure(
    key="enterprises.reopened",
    name=_("已复工企业"),
    unit=ENTERPRISES,
    group=GROUP,
    list_url="enterprises:list",
    list_query=(("standing", "reopened"),),
    headline=True,
)
ABLE = Figure(key="enterprises.able", name=_("可到岗员工"), unit=PEOPLE, group=GROUP)


def compute(day, now, within: str) -> dict[str, dict[str, float]]:
    values: dict[str, dict[str, float]] = {REGISTERED.key: {}, REOPENED.key: {}, ABLE.key: {}}
    for path, found in counted.by_region(now).items():
        if len(path) > GRID_PATH or not path.startswith(within):
            continue
        values[REGISTERED.key][path] = found.enterprises_registered
        values[REOPENED.key][path] = found.enterprises_reopened
        values[ABLE.key][path] = found.employees_able_to_work
    return values


SOURCE = Source(figures=(REGISTERED, REOPENED, ABLE), compute=compute)
