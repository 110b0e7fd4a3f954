"""The only code that writes monitoring points, reports, figures, lights and actions.

Who may do what: MARKET_POINT add/change in a region makes and edits its points; PRICE_REPORT
add sends reports — for a reporter (价格监测员) only at the points they are assigned to, for
an officer at any point of their region; MARKET_LIGHT change records what was done about a
light; MARKET_RULES change sets the lockdown date of the rules in force.

Writing reports refreshes the region figures of the items and days they touch, for the
point's region and each region above it (`refresh_figures`), and then recomputes those
items' lights in those regions (`recompute_lights`): a report is on the lights page as soon
as it is saved.
"""

import dataclasses
import datetime
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.paths import next_prefix, under
from fangyi.core.permissions import (
    ADD,
    CHANGE,
    EVERYWHERE,
    MATRIX,
    VIEW,
    assignments_of,
    can,
    minimal_paths,
    require,
    scope_paths,
)
from fangyi.regions.models import PATH_LENGTHS, Region, ancestor_paths

from . import rules
from .area import MARKET_LIGHT, MARKET_POINT, MARKET_RULES, PRICE_REPORT, REPORTER
from .models import (
    ActionKind,
    DailyFigure,
    Item,
    Light,
    LightAction,
    MonitoringPoint,
    PointKind,
    PriceReport,
    RuleSet,
    today,
)

# Who has not reported by then is listed (page, home card).
REPORT_DEADLINE = datetime.time(10, 0)
# How far back a report may be sent or corrected.
MAX_DAYS_BACK = 30
MAX_PRICE = Decimal("100000")
MAX_QUANTITY = Decimal("1000000000")
MAX_NOTE = 2000
MAX_REPORTERS = 20
POINT_FIELDS = ["code", "name", "kind", "region", "address", "active"]
REPORT_FIELDS = ["point", "item", "day", "price", "stock", "sales"]
ACTION_FIELDS = ["light", "kind", "quantity", "note", "colour", "taken_at"]
LEVEL_LENGTHS = sorted(PATH_LENGTHS.values())


# Rules


def rule_set() -> RuleSet:
    return RuleSet.objects.get(in_force=True)


def set_lockdown(*, actor, day: datetime.date | None) -> RuleSet:
    """Sets (or clears) the lockdown date the baseline method counts back from; every light
    is recomputed in the background."""
    require(actor, MARKET_RULES, CHANGE, message=_("您没有修改预警规则的权限。"))
    if day is not None and day > today():
        raise ValidationError({"lockdown_date": _("封控日期不能晚于今天。")})
    with transaction.atomic():
        found = RuleSet.objects.select_for_update().get(in_force=True)
        before = audit.snapshot(found, ["lockdown_date"])
        found.lockdown_date = day
        found.save(update_fields=["lockdown_date"])
        audit.record_updated(
            actor=actor, obj=found, before=before, after=audit.snapshot(found, ["lockdown_date"])
        )
        from .tasks import recompute_lights_task

        transaction.on_commit(lambda: recompute_lights_task.enqueue())
    return found


# Points and who works them


def _paths(user, resource: str, action: str, *, reporting: bool) -> list[str]:
    """The region paths where `user` holds `action` through a reporter's assignment
    (reporting) or through any other role."""
    return minimal_paths(
        path
        for role, path in assignments_of(user)
        if (role == REPORTER) == reporting
        and action in MATRIX.get(role, {}).get(resource, frozenset())
    )


def _under_any(field: str, paths: list[str]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= under(field, path)
    return condition


def _assigned(user) -> QuerySet:
    return MonitoringPoint.reporters.through.objects.filter(user_id=user.pk).values(
        "monitoringpoint_id"
    )


def points_for(user, resource: str = MARKET_POINT, action: str = VIEW) -> QuerySet:
    """Points `user` may see (or report at, with PRICE_REPORT/ADD): by region, and a
    reporter's only the points they are assigned to."""
    points = MonitoringPoint.objects.select_related("region")
    if scope_paths(user, resource, action) is EVERYWHERE:
        return points
    wide = _under_any("region_path", _paths(user, resource, action, reporting=False))
    reporting = _paths(user, resource, action, reporting=True)
    if reporting:
        wide |= Q(pk__in=_assigned(user)) & _under_any("region_path", reporting)
    return points.filter(wide)


def reports_for(user, action: str = VIEW) -> QuerySet:
    """Reports `user` may see: by region, and a reporter's only those of their points."""
    reports = PriceReport.objects.select_related("item", "point")
    if scope_paths(user, PRICE_REPORT, action) is EVERYWHERE:
        return reports
    wide = _under_any("region_path", _paths(user, PRICE_REPORT, action, reporting=False))
    reporting = _paths(user, PRICE_REPORT, action, reporting=True)
    if reporting:
        wide |= Q(point_id__in=_assigned(user)) & _under_any("region_path", reporting)
    return reports.filter(wide)


def may_report(user, point: MonitoringPoint) -> bool:
    if not can(user, PRICE_REPORT, ADD, point.region_path):
        return False
    return points_for(user, PRICE_REPORT, ADD).filter(pk=point.pk).exists()


def _clean_text(value: str, name: str, errors: dict, *, required: bool, limit: int) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(name, []).append(_("请填写此项。"))
    elif len(value) > limit:
        errors.setdefault(name, []).append(_("最多 %(n)d 个字。") % {"n": limit})
    return value


def _check_reporters(reporters: list, region_path: str, errors: dict) -> None:
    """Reporters must be active staff who may report where the point is."""
    if len(reporters) > MAX_REPORTERS:
        errors.setdefault("reporters", []).append(
            _("每个监测点最多 %(n)d 名报价员。") % {"n": MAX_REPORTERS}
        )
        return
    for user in reporters:
        if not user.is_active or not can(user, PRICE_REPORT, ADD, region_path):
            errors.setdefault("reporters", []).append(
                _("%(name)s 不能在该监测点所在区域填报价格。") % {"name": user.get_username()}
            )


CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{1,31}")


def create_point(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    region: Region,
    address: str = "",
    reporters: Iterable = (),
) -> MonitoringPoint:
    require(actor, MARKET_POINT, ADD, region.path, message=_("您没有在该区域设立监测点的权限。"))
    errors: dict[str, list[str]] = {}
    code = (code or "").strip().upper()
    if not CODE.fullmatch(code):
        errors.setdefault("code", []).append(_("编号为 2 到 32 位字母、数字或短横线。"))
    elif MonitoringPoint.objects.filter(code=code).exists():
        errors.setdefault("code", []).append(_("已有编号为 %(code)s 的监测点。") % {"code": code})
    name = _clean_text(name, "name", errors, required=True, limit=100)
    address = _clean_text(address, "address", errors, required=False, limit=200)
    if kind not in PointKind.values:
        errors.setdefault("kind", []).append(_("请选择监测点类型。"))
    reporters = list(reporters)
    _check_reporters(reporters, region.path, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        point = MonitoringPoint.objects.create(
            code=code, name=name, kind=kind, region=region, region_path=region.path, address=address
        )
        point.reporters.set(reporters)
        audit.record_created(actor=actor, obj=point, fields=POINT_FIELDS)
    return point


def update_point(
    *,
    actor,
    point: MonitoringPoint,
    name: str | None = None,
    kind: str | None = None,
    address: str | None = None,
    active: bool | None = None,
    reporters: Iterable | None = None,
) -> MonitoringPoint:
    require(actor, MARKET_POINT, CHANGE, point.region_path, message=_("您没有修改该监测点的权限。"))
    errors: dict[str, list[str]] = {}
    before = audit.snapshot(point, POINT_FIELDS)
    before["reporters"] = sorted(str(pk) for pk in point.reporters.values_list("pk", flat=True))
    if name is not None:
        point.name = _clean_text(name, "name", errors, required=True, limit=100)
    if address is not None:
        point.address = _clean_text(address, "address", errors, required=False, limit=200)
    if kind is not None:
        if kind not in PointKind.values:
            errors.setdefault("kind", []).append(_("请选择监测点类型。"))
        point.kind = kind
    if active is not None:
        point.active = active
    if reporters is not None:
        reporters = list(reporters)
        _check_reporters(reporters, point.region_path, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        point.save()
        if reporters is not None:
            point.reporters.set(reporters)
        after = audit.snapshot(point, POINT_FIELDS)
        after["reporters"] = sorted(str(pk) for pk in point.reporters.values_list("pk", flat=True))
        audit.record_updated(actor=actor, obj=point, before=before, after=after)
    return point


def reporters_by_username(actor, usernames: Iterable[str]) -> list:
    """The staff named, for a point's reporters; an unknown name is an error in the field."""
    names = [name.strip() for name in usernames if name.strip()]
    found = {user.username: user for user in get_user_model().objects.filter(username__in=names)}
    unknown = [name for name in names if name not in found]
    if unknown:
        raise ValidationError(
            {"reporters": _("没有这些工作人员：%(names)s。") % {"names": "、".join(unknown)}}
        )
    return [found[name] for name in dict.fromkeys(names)]


# Reports


@dataclasses.dataclass(frozen=True)
class Entry:
    """One item of a point's daily report, as sent."""

    item: str  # the item's code
    price: object
    stock: object = None
    sales: object = None


def _decimal(value, *, places: int = 2) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError from None
    if not number.is_finite() or number.as_tuple().exponent < -places:  # type: ignore[operator]
        raise ValueError
    return number


def check_entry(entry: Entry, items: dict[str, Item]) -> tuple[dict[str, str], tuple | None]:
    """(errors by field, (item, price, stock, sales)) for one entry: the form, the API and
    the ledger all check a row here."""
    errors: dict[str, str] = {}
    item = items.get(entry.item)
    if item is None:
        errors["item"] = _("没有这个监测品种：%(code)s。") % {"code": entry.item}
    try:
        price = _decimal(entry.price)
    except ValueError:
        errors["price"] = _("价格应为数字，最多两位小数。")
        price = None
    else:
        if price is None:
            errors["price"] = _("请填写价格。")
        elif not Decimal(0) < price < MAX_PRICE:
            errors["price"] = _("价格应大于 0、小于 %(max)s 元。") % {"max": MAX_PRICE}
    quantities: dict[str, Decimal | None] = {}
    for field in ("stock", "sales"):
        try:
            value = _decimal(getattr(entry, field))
        except ValueError:
            errors[field] = _("数量应为数字，最多两位小数。")
            continue
        if value is not None and not Decimal(0) <= value < MAX_QUANTITY:
            errors[field] = _("数量应在 0 到 %(max)s 之间。") % {"max": MAX_QUANTITY}
            continue
        quantities[field] = value
    if errors:
        return errors, None
    return errors, (item, price, quantities["stock"], quantities["sales"])


def check_day(day: datetime.date | None) -> str | None:
    now = today()
    if day is None:
        return _("请填写日期。")
    if day > now:
        return _("不能填报今天以后的价格。")
    if day < now - datetime.timedelta(days=MAX_DAYS_BACK):
        return _("只能补报 %(n)d 天内的价格。") % {"n": MAX_DAYS_BACK}
    return None


def basket() -> dict[str, Item]:
    return {item.code: item for item in Item.objects.all()}


def submit_report(
    *, actor, point: MonitoringPoint, day: datetime.date, entries: list[Entry]
) -> list[PriceReport]:
    """A point's report of one day, any number of basket items at once; an item reported
    again that day replaces its earlier figures."""
    if not may_report(actor, point):
        raise PermissionDenied(_("您不是该监测点的报价员。"))
    if not point.active:
        raise ValidationError({"point": _("该监测点已停用。")})
    errors: dict[str, list[str]] = {}
    problem = check_day(day)
    if problem:
        errors["day"] = [problem]
    if not entries:
        errors["items"] = [_("请至少填报一个品种。")]
    items = basket()
    checked = []
    seen: set[str] = set()
    for n, entry in enumerate(entries):
        found, values = check_entry(entry, items)
        if entry.item in seen:
            found["item"] = _("同一品种填报了两次。")
        seen.add(entry.item)
        for field, message in found.items():
            errors.setdefault(f"items.{n}.{field}", []).append(message)
        if values is not None:
            checked.append(values)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        written = write_reports(actor=actor, rows=[(point, day, *values) for values in checked])
        refresh_and_recompute({(item.pk, day) for item, *_rest in checked}, point.region_path)
    return written


def write_reports(*, actor, rows: list[tuple]) -> list[PriceReport]:
    """Writes (point, day, item, price, stock, sales) rows, replacing a point's earlier report
    of the same item and day, each with its audit row. The callers have checked the rows and
    the actor's right at each point, and refresh the figures after."""
    # A superset of the rows' reports, read by the three columns apart: one OR per row
    # would not fit in a statement for a ledger's chunk.
    candidates = PriceReport.objects.filter(
        point_id__in={point.pk for point, *_rest in rows},
        day__in={day for _point, day, *_rest in rows},
        item_id__in={item.pk for _point, _day, item, *_rest in rows},
    )
    existing = {(report.point_id, report.day, report.item_id): report for report in candidates}
    now = timezone.now()
    changes = audit.BulkChanges(actor=actor, time=now)
    created, updated = [], []
    reporter = actor if getattr(actor, "is_authenticated", False) else None
    for point, day, item, price, stock, sales in rows:
        report = existing.get((point.pk, day, item.pk))
        if report is None:
            report = PriceReport(
                point=point,
                item=item,
                day=day,
                region_path=point.region_path,
                price=price,
                stock=stock,
                sales=sales,
                reporter=reporter,
                reported_at=now,
            )
            created.append(report)
            before = None
        else:
            before = audit.snapshot(report, REPORT_FIELDS)
            report.price, report.stock, report.sales = price, stock, sales
            report.reporter, report.reported_at = reporter, now
            updated.append(report)
        changes.add(
            object_type=PriceReport._meta.label_lower,
            object_id=report.pk,
            object_repr=f"{point.name} {item.name} {day}",
            region_path=point.region_path,
            action="create" if before is None else "update",
            before=before,
            after=audit.snapshot(report, REPORT_FIELDS),
        )
    PriceReport.objects.bulk_create(created, batch_size=2000)
    PriceReport.objects.bulk_update(
        updated, ["price", "stock", "sales", "reporter", "reported_at"], batch_size=2000
    )
    changes.flush()
    return created + updated


# Past this many regions, recounting a day level by level over the whole installation is
# fewer statements than one per region.
REGIONS_ONE_BY_ONE = 50


def refresh_and_recompute(touched: set[tuple[int, datetime.date]], *paths: str) -> None:
    """Figures of the touched (item, day)s in the regions above `paths`, then those items'
    lights there."""
    regions = sorted({ancestor for path in paths for ancestor in ancestor_paths(path)})
    refresh_figures(touched, regions if len(regions) <= REGIONS_ONE_BY_ONE else None)
    recompute_lights(items={item for item, _day in touched}, paths=regions)


# Figures


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def refresh_figures(
    touched: set[tuple[int, datetime.date]], regions: list[str] | None = None
) -> None:
    """Recounts the daily figures of the (item, day) pairs in each of `regions` (paths), or
    in every region that has reports when `regions` is None: one grouped statement per
    level."""
    if not touched:
        return
    figures, reports = _table(DailyFigure), _table(PriceReport)
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for item, day in touched:
        by_day[day].append(item)
    with connection.cursor() as cursor:
        for day, item_ids in by_day.items():
            marks = ", ".join(["%s"] * len(item_ids))
            if regions is None:
                cursor.execute(
                    f"DELETE FROM {figures} WHERE day = %s AND item_id IN ({marks})",
                    [day, *item_ids],
                )
                targets: list[tuple[int, str | None]] = [(n, None) for n in LEVEL_LENGTHS]
            else:
                region_marks = ", ".join(["%s"] * len(regions))
                cursor.execute(
                    f"DELETE FROM {figures} WHERE day = %s AND item_id IN ({marks})"
                    f" AND region_path IN ({region_marks})",
                    [day, *item_ids, *regions],
                )
                targets = [(len(path), path) for path in regions]
            for length, path in targets:
                where = ["r.day = %s", f"r.item_id IN ({marks})"]
                params: list = [day, *item_ids]
                if path is None:
                    where.append("LENGTH(r.region_path) >= %s")
                    params.append(length)
                else:
                    where.append("r.region_path >= %s AND r.region_path < %s")
                    params.extend([path, next_prefix(path)])
                cursor.execute(
                    f"INSERT INTO {figures}"
                    " (item_id, region_path, day, price_sum, price_count, stock_sum, sales_sum)"
                    f" SELECT r.item_id, SUBSTR(r.region_path, 1, {length:d}), r.day, SUM(r.price),"
                    " COUNT(*),"
                    " SUM(CASE WHEN r.sales IS NOT NULL THEN r.stock END),"
                    " SUM(CASE WHEN r.stock IS NOT NULL THEN r.sales END)"
                    f" FROM {reports} r WHERE {' AND '.join(where)}"
                    f" GROUP BY r.item_id, SUBSTR(r.region_path, 1, {length:d}), r.day",
                    params,
                )


# Lights


# The windows' sums are of floats on both databases (SQLite has no other; PostgreSQL's
# numerics made the city's grouped query a third slower) and read to the millionth, far below
# a cent, so that a boundary (a rise of exactly 2 %) is judged the same on both and as the
# pure functions judge a series.
MILLIONTH = Decimal("0.000001")
ZERO = Decimal(0)
# The city's grouped query holds one hash entry per item and region (about 300 bytes): with
# the default 4 MB it spilled to disk for a city of 3,000 regions.
# Compiling the statement (JIT) cost more than it saved.
LIGHTS_SETTINGS = ["64MB", "off"]
SET_SETTINGS = "SELECT set_config('work_mem', %s, true), set_config('jit', %s, true)"


def _exact(value) -> Decimal:
    if value is None:
        return ZERO
    if value.__class__ is float:
        return Decimal(f"{value:.6f}")
    if value.__class__ is int:
        return Decimal(value)
    return value.quantize(MILLIONTH)


def _maybe(value) -> Decimal | None:
    return None if value is None else _exact(value)


def _stored(value) -> Decimal | None:
    """A stored light's figure as the judged one is: SQLite hands decimals back as floats."""
    if value is None or value.__class__ is Decimal:
        return value
    return Decimal(str(value))


def _narrowing(items: set[int] | None, paths: list[str] | None) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if items is not None:
        where.append(f"f.item_id IN ({', '.join(['%s'] * len(items))})")
        params += list(items)
    if paths is not None:
        where.append(f"f.region_path IN ({', '.join(['%s'] * len(paths))})")
        params += list(paths)
    return where, params


# What the lights' query answers after the item, the region path and the region's id: the
# stored light to compare with.
STORED_COLUMNS = [
    "id",
    "day",
    "colour",
    "price",
    "change_percent",
    "change_colour",
    "cover_days",
    "cover_colour",
    "deviation",
    "deviation_colour",
]


def _lights_query(
    items: set[int] | None, paths: list[str] | None, day: datetime.date, found: rules.Rules
) -> tuple[str, list[Any]]:
    """One statement for every (item, region) with figures in the windows: the rules' sums
    of both windows (and the baseline), the days of the latest price and of the latest stock
    within `lookback`, grouped in one pass over the windows' figures; then those two days'
    figures, the region's id and the stored light joined to its row."""
    ranges = rules.windows(day, found)
    average = "(CAST(f.price_sum AS DOUBLE PRECISION) / f.price_count)"
    columns: list[str] = []
    params: list[Any] = []
    for name in ranges:
        first, last = ranges[name]
        inside = "f.day >= %s AND f.day <= %s"
        columns.append(f"SUM(CASE WHEN {inside} THEN 1 ELSE 0 END)")
        columns.append(f"SUM(CASE WHEN {inside} THEN {average} END)")
        params += [first, last, first, last]
        if name == "baseline":
            columns.append(f"SUM(CASE WHEN {inside} THEN {average} * {average} END)")
            params += [first, last]
    recent = day - datetime.timedelta(days=found.lookback)
    columns.append("MAX(CASE WHEN f.day >= %s THEN f.day END) AS latest")
    columns.append(
        "MAX(CASE WHEN f.day >= %s AND f.stock_sum IS NOT NULL THEN f.day END) AS stocked"
    )
    params += [recent, recent]
    first = min([ranges["previous"][0], ranges["current"][0], recent])
    where = ["f.day >= %s AND f.day <= %s"]
    params += [first, day]
    if "baseline" in ranges:
        # Two ranges, not the weeks between them.
        start, end = ranges["baseline"]
        where = ["((f.day >= %s AND f.day <= %s) OR (f.day >= %s AND f.day <= %s))"]
        params += [start, end]
    narrowing, narrowed = _narrowing(items, paths)
    where += narrowing
    params += narrowed
    figures = _table(DailyFigure)
    stored = ", ".join(f"l.{name}" for name in STORED_COLUMNS)
    sql = (
        "SELECT w.*, p.price_sum, p.price_count, s.stock_sum, s.sales_sum, r.id, "
        f"{stored} FROM (SELECT f.item_id, f.region_path, {', '.join(columns)}"
        f" FROM {figures} f WHERE {' AND '.join(where)}"
        " GROUP BY f.item_id, f.region_path) w"
        f" JOIN {_table(Region)} r ON r.path = w.region_path"
        # The joined days' ranges are implied by `latest` and `stocked`: given, they keep
        # the planner to the last days' figures rather than the whole history.
        f" LEFT JOIN {figures} p ON p.item_id = w.item_id AND p.region_path = w.region_path"
        " AND p.day = w.latest AND p.day >= %s AND p.day <= %s"
        f" LEFT JOIN {figures} s ON s.item_id = w.item_id AND s.region_path = w.region_path"
        " AND s.day = w.stocked AND s.day >= %s AND s.day <= %s"
        f" LEFT JOIN {_table(Light)} l ON l.item_id = w.item_id"
        " AND l.region_path = w.region_path"
    )
    return sql, [*params, recent, day, recent, day]


def _read_lights(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return cursor.fetchall()
        # Transaction-local, and set back: the caller's transaction may go on for long.
        cursor.execute("SELECT current_setting('work_mem'), current_setting('jit')")
        before = cursor.fetchone()
        cursor.execute(SET_SETTINGS, LIGHTS_SETTINGS)
        cursor.execute(sql, params)
        found = cursor.fetchall()
        cursor.execute(SET_SETTINGS, before)
        return found


def _quantize(value: Decimal | None, places: str) -> Decimal | None:
    return None if value is None else value.quantize(Decimal(places))


LIGHT_COLUMNS = [
    "id",
    "item_id",
    "region_id",
    "region_path",
    "day",
    "colour",
    "price",
    "change_percent",
    "change_colour",
    "cover_days",
    "cover_colour",
    "deviation",
    "deviation_colour",
    "computed_at",
]


def _upsert_lights(rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT DO UPDATE of rows in LIGHT_COLUMNS order, already in the
    database's types. On PostgreSQL the rows are COPied into a temporary table and upserted
    by one statement, as health's statuses are: one upsert per row kept a city waiting on
    the server's round trips. Elsewhere one statement run for every row (executemany)."""
    if not rows:
        return
    # The attribute names are the columns' (no field of Light sets db_column).
    names = ", ".join(connection.ops.quote_name(name) for name in LIGHT_COLUMNS)
    # The first four name the light (and its id, kept when it exists): the rest is updated.
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in LIGHT_COLUMNS[4:])
    conflict = f"ON CONFLICT (item_id, region_path) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(
                f"INSERT INTO {_table(Light)} ({names})"
                f" VALUES ({', '.join(['%s'] * len(LIGHT_COLUMNS))}) {conflict}",
                rows,
            )
            return
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS markets_light_in"
            f" (LIKE {_table(Light)} INCLUDING DEFAULTS)"
        )
        cursor.execute("TRUNCATE markets_light_in")
        with cursor.cursor.copy(f"COPY markets_light_in ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {_table(Light)} ({names}) SELECT {names} FROM markets_light_in {conflict}"
        )


# Ids of lights moved to a new day per UPDATE on SQLite (under its limit of parameters).
MOVED_PER_STATEMENT = 500


def _move_lights(ids: list, on, stamp) -> None:
    """The day (and time) of lights judged the same as stored: one UPDATE, not a row each."""
    table = _table(Light)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} SET day = %s, computed_at = %s WHERE id = ANY(%s)",
                [on, stamp, ids],
            )
            return
        for start in range(0, len(ids), MOVED_PER_STATEMENT):
            chunk = ids[start : start + MOVED_PER_STATEMENT]
            cursor.execute(
                f"UPDATE {table} SET day = %s, computed_at = %s"
                f" WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                [on, stamp, *chunk],
            )


def recompute_lights(
    *,
    items: set[int] | None = None,
    paths: list[str] | None = None,
    day: datetime.date | None = None,
) -> int:
    """Recomputes the lights of `items` in the regions at `paths` (both: all with figures in
    the windows) as of `day` (today); answers how many were recomputed. Only what changed is
    written: a new light or a changed verdict in full, a light judged as before its day."""
    if (items is not None and not items) or (paths is not None and not paths):
        return 0
    day = day or today()
    found = rule_set().rules()
    categories = dict(Item.objects.values_list("pk", "category"))
    baseline = "baseline" in rules.windows(day, found)
    # Values as the database takes them, converted once: SQLite keeps UUIDs as hex text;
    # decimals and dates go through the drivers' own adapters.
    sqlite = connection.vendor == "sqlite"
    stamp = Light._meta.get_field("computed_at").get_db_prep_save(timezone.now(), connection)
    on = Light._meta.get_field("day").get_db_prep_save(day, connection)
    iso = day.isoformat()
    written, moved = [], []
    judged = 0
    for row in _read_lights(*_lights_query(items, paths, day, found)):
        item, path, current_days, current_sum, previous_days, previous_sum = row[:6]
        rest = row[6:]
        baseline_days, baseline_sum, baseline_squares = 0, None, None
        if baseline:
            (baseline_days, baseline_sum, baseline_squares), rest = rest[:3], rest[3:]
        _latest, _stocked, price_sum, price_count, stock, sales, region, *stored = rest
        found_sums = rules.Sums(
            current_days=int(current_days or 0),
            current_sum=_exact(current_sum),
            previous_days=int(previous_days or 0),
            previous_sum=_exact(previous_sum),
            price=_exact(price_sum) / price_count if price_count else None,
            stock=_maybe(stock),
            sales=_maybe(sales) if stock is not None else None,
            after_lockdown=baseline,
            baseline_days=int(baseline_days or 0),
            baseline_sum=_exact(baseline_sum),
            baseline_squares=_exact(baseline_squares),
        )
        verdict = rules.judge(categories[item], found_sums, found)
        judged += 1
        values = (
            verdict.colour,
            _quantize(found_sums.price, "0.01"),
            _quantize(verdict.change.percent if verdict.change else None, "0.01"),
            verdict.change_colour,
            _quantize(verdict.cover, "0.1"),
            verdict.cover_colour,
            _quantize(verdict.deviation.z if verdict.deviation else None, "0.01"),
            verdict.deviation_colour,
        )
        key, stored_day, colour, price, change, change_colour, cover, cover_colour = stored[:8]
        deviation, deviation_colour = stored[8:]
        if key is not None and values == (
            colour,
            _stored(price),
            _stored(change),
            change_colour,
            _stored(cover),
            cover_colour,
            _stored(deviation),
            deviation_colour,
        ):
            if str(stored_day) != iso:
                moved.append(key)
            continue
        if key is None:
            key = uuid.uuid4().hex if sqlite else uuid.uuid4()
        # The region's id comes as the database keeps it (hex text on SQLite).
        written.append((key, item, region, path, on, *values, stamp))
    _upsert_lights(written)
    _move_lights(moved, on, stamp)
    return judged


def recompute_all(day: datetime.date | None = None) -> int:
    """Every light of the installation (the periodic job, and after the rules change)."""
    return recompute_lights(day=day)


def chart(light: Light, days: int) -> tuple[list[rules.ChartPoint], rules.Rules]:
    """The light's item in its region for the last `days` days, with the threshold lines."""
    found = rule_set().rules()
    last = max(light.day, today())
    first = last - datetime.timedelta(days=days - 1)
    reading_from = first - datetime.timedelta(days=2 * found.window)
    figures = {
        on: rules.DayFigure(
            price=Decimal(price_sum) / count if count else None, stock=stock, sales=sales
        )
        for on, price_sum, count, stock, sales in DailyFigure.objects.filter(
            item_id=light.item_id,
            region_path=light.region_path,
            day__gte=reading_from,
            day__lte=last,
        ).values_list("day", "price_sum", "price_count", "stock_sum", "sales_sum")
    }
    category = Item.objects.get(pk=light.item_id).category
    return rules.chart(category, figures, first, last, found), found


# Actions


def record_action(
    *, actor, light: Light, kind: str, note: str = "", quantity: str = ""
) -> LightAction:
    require(
        actor,
        MARKET_LIGHT,
        CHANGE,
        light.region_path,
        message=_("您没有在该区域记录处置措施的权限。"),
    )
    errors: dict[str, list[str]] = {}
    if kind not in ActionKind.values:
        errors["kind"] = [_("请选择措施。")]
    note = _clean_text(note, "note", errors, required=kind == ActionKind.OTHER, limit=MAX_NOTE)
    quantity = _clean_text(quantity, "quantity", errors, required=False, limit=50)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        action = LightAction.objects.create(
            light=light,
            region_path=light.region_path,
            kind=kind,
            note=note,
            quantity=quantity,
            colour=light.colour,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record_created(actor=actor, obj=action, fields=ACTION_FIELDS)
    return action


# Who has not reported


def missing_points(user, day: datetime.date | None = None) -> QuerySet:
    """Active points in `user`'s scope without any report on `day` (today)."""
    day = day or today()
    reported = PriceReport.objects.filter(point=OuterRef("pk"), day=day)
    return (
        points_for(user, PRICE_REPORT, VIEW)
        .filter(active=True)
        .filter(~Exists(reported))
        .order_by("region_path", "name", "id")
    )


def past_deadline(now: datetime.datetime | None = None) -> bool:
    return timezone.localtime(now or timezone.now()).time() >= REPORT_DEADLINE
