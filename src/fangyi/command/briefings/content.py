"""What a briefing says, gathered once and printed twice (PDF and Word): the command board's
figures for the region and day (never counted here, so the briefing equals the screen), the
trend charts, the problem list, the day's new zones and each area's overdue items, and the
admin's text rendered from its template."""

import datetime
import re
from dataclasses import dataclass

from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.paths import under
from fangyi.health.models import Zone
from fangyi.regions.models import Region

from .. import figures as figure_defs
from ..figures.health import ZONE_CLASSES, ZONE_NAMES
from ..services import Board, FigureValue
from ..views import TREND_CHARTS
from .problems import Problems, problems_of

# Each area's overdue figure, in the order the briefing lists them.
OVERDUE_KEYS = ("orders.overdue", "supplies.late", "hotline.overdue")
# Tags that would reach beyond the text (other templates, tag libraries, the server's files).
REFUSED_TAGS = re.compile(r"{%-?\s*(load|include|extends|ssi|debug)\b")


def number(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def signed(value: float | None) -> str:
    if value is None:
        return "—"
    return f"+{number(value)}" if value > 0 else number(value)


@dataclass(frozen=True)
class Line:
    key: str
    name: str
    unit: str
    value: str
    previous: str
    change: str


def line_of(item: FigureValue) -> Line:
    return Line(
        key=item.figure.key,
        name=str(item.figure.name),
        unit=str(item.figure.unit),
        value=number(item.value),
        previous=number(item.previous),
        change=signed(item.change),
    )


@dataclass(frozen=True)
class Chart:
    title: str
    days: list[datetime.date]
    series: list[tuple[str, list[float | None]]]


@dataclass(frozen=True)
class NewZone:
    name: str
    kind: str
    starts_at: datetime.datetime


@dataclass(frozen=True)
class Block:
    heading: bool
    text: str


@dataclass(frozen=True)
class Content:
    region: Region
    day: datetime.date
    live: bool
    headline: list[Line]
    lines: list[Line]
    overdue: list[Line]
    charts: list[Chart]
    problems: Problems
    zones: list[NewZone]
    blocks: list[Block]

    @property
    def title(self) -> str:
        return _("%(region)s疫情防控每日简报") % {"region": self.region.name}


def _start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def new_zones(region: Region, day: datetime.date) -> list[NewZone]:
    """Zones drawn in the region that start on `day` (Beijing time)."""
    zones = (
        Zone.objects.filter(under("region_path", region.path))
        .filter(starts_at__gte=_start(day), starts_at__lt=_start(day + datetime.timedelta(days=1)))
        .order_by("starts_at", "name")
    )
    return [
        NewZone(name=zone.name, kind=kind_name(zone.kind), starts_at=zone.starts_at)
        for zone in zones
    ]


def kind_name(kind: str) -> str:
    """A zone kind's name as the screen groups it (a sealed zone and a high-risk area alike)."""
    for name, kinds in ZONE_CLASSES.items():
        if kind in kinds:
            return str(ZONE_NAMES[name])
    return kind


def charts_of(board: Board) -> list[Chart]:
    by_key = board.by_key()
    return [
        Chart(
            title=str(title),
            days=board.days,
            series=[
                (str(by_key[key].figure.name), by_key[key].trend) for key in keys if key in by_key
            ],
        )
        for _name, title, keys in TREND_CHARTS
    ]


def nested_figures(lines: list[Line]) -> dict:
    """{"cases": {"new": line}}: the template writes `figures.cases.new.value`."""
    nested: dict = {}
    for line in lines:
        group, _dot, name = line.key.partition(".")
        nested.setdefault(group, {})[name] = line
    return nested


def template_context(
    *, region_name: str, day: datetime.date, lines: list[Line], zones: int, problems: int
) -> dict:
    return {
        "region": region_name,
        "day": day,
        "previous_day": day - datetime.timedelta(days=1),
        "figures": nested_figures(lines),
        "new_zones": zones,
        "problems": problems,
    }


class TemplateRefused(ValueError):
    pass


def render_text(text: str, context: dict) -> list[Block]:
    """The admin's template rendered to blocks: a line starting with "#" is a heading, other
    lines run into paragraphs split by blank lines. TemplateRefused says why it cannot be."""
    refused = REFUSED_TAGS.search(text)
    if refused:
        raise TemplateRefused(
            _("模板中不能使用 {%% %(tag)s %%} 标签。") % {"tag": refused.group(1)}
        )
    try:
        rendered = Template(text).render(Context(context, autoescape=False))
    except TemplateSyntaxError as error:
        raise TemplateRefused(_("模板语法错误：%(error)s") % {"error": error}) from error
    except Exception as error:  # noqa: BLE001 - any failure while rendering refuses the template
        raise TemplateRefused(_("模板无法生成：%(error)s") % {"error": error}) from error
    blocks: list[Block] = []
    paragraph: list[str] = []

    def close() -> None:
        if paragraph:
            blocks.append(Block(heading=False, text="".join(paragraph)))
            paragraph.clear()

    for raw in rendered.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            close()
            blocks.append(Block(heading=True, text=line.lstrip("#").strip()))
        elif line:
            paragraph.append(line)
        else:
            close()
    close()
    if not blocks:
        raise TemplateRefused(_("模板生成的内容为空。"))
    return blocks


def sample_context() -> dict:
    """A context with every figure, for checking a template before it is saved."""
    lines = [
        Line(
            key=figure.key,
            name=str(figure.name),
            unit=str(figure.unit),
            value="12",
            previous="10",
            change="+2",
        )
        for figure in figure_defs.FIGURES
    ]
    return template_context(
        region_name=_("示例市"),
        day=datetime.date(2026, 3, 1),
        lines=lines,
        zones=1,
        problems=3,
    )


def gather(*, board: Board, template_text: str) -> Content:
    region, day = board.region, board.day
    lines = [line_of(item) for item in board.values]
    by_key = {line.key: line for line in lines}
    zones = new_zones(region, day)
    problems = problems_of(region, day)
    blocks = render_text(
        template_text,
        template_context(
            region_name=region.name,
            day=day,
            lines=lines,
            zones=len(zones),
            problems=len(problems.today),
        ),
    )
    return Content(
        region=region,
        day=day,
        live=board.live,
        headline=[line_of(item) for item in board.values if item.figure.headline],
        lines=lines,
        overdue=[by_key[key] for key in OVERDUE_KEYS if key in by_key],
        charts=charts_of(board),
        problems=problems,
        zones=zones,
        blocks=blocks,
    )
