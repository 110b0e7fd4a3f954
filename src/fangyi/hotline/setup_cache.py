"""The hotline's setup as each process holds it: the category tree, the handling units, the
routing rules and the calendar days an administrator entered. Every intake needs them (its
category, its limit, its unit) and they change a few times a year, so a process reads them
once and again only after a change, instead of four to six statements a ticket.

Every change writes a new random value into the one `SetupVersion` row, in the transaction
that makes the change (`changed()`): the models' post_save and post_delete signals call it, so
the services and the admin pages need nothing more, but code that changes these tables by
`QuerySet.update`, `bulk_create` or raw SQL must call it itself. `current()` reads that row
(one statement, once per request or job) and loads the four tables again when the value is
not the one it loaded them with. Since the value commits with the change, whoever reads it
sees the change too; a change rolled back takes its value with it, and values are random, so
one rolled back never comes back to match a process that saw it in its own transaction.
"""

import copy
import datetime
import threading
import uuid
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connection

from fangyi.core import hotsql
from fangyi.core.context import current as current_context

from .models import CalendarDay, Category, HandlingUnit, PlaceLevel, RoutingRule, SetupVersion

# A street's path is 9 characters long, a community's 12.
TEAM_LEVEL = {PlaceLevel.STREET: 9, PlaceLevel.COMMUNITY: 12}
# The tree is a few levels deep; a loop in it (made by hand) must not hang an intake.
MAX_DEPTH = 16


@dataclass(frozen=True)
class Setup:
    version: str
    categories: dict[int, Category]
    by_code: dict[str, Category]
    # By the rule's region path.
    rules: dict[str, list[RoutingRule]]
    units: dict[uuid.UUID, HandlingUnit]
    # (region path, kind) → the active team bound to that street or community, the oldest.
    teams: dict[tuple[str, str], HandlingUnit]
    days: dict[datetime.date, bool]

    def category(self, code: str) -> Category | None:
        """The active category of a code, as a copy the caller may keep."""
        found = self.by_code.get(code)
        return copy.copy(found) if found is not None and found.active else None

    def lineage(self, category_id: int) -> list[int]:
        """The category and its ancestors, nearest first."""
        chain: list[int] = []
        node = self.categories.get(category_id)
        while node is not None and len(chain) < MAX_DEPTH:
            chain.append(node.pk)
            node = self.categories.get(node.parent_id) if node.parent_id else None
        return chain

    def entered(self, first: datetime.date, last: datetime.date) -> dict[datetime.date, bool]:
        return {day: workday for day, workday in self.days.items() if first <= day <= last}

    def route(self, category_id: int, region_path: str) -> HandlingUnit | None:
        """services.route's rule over the rules held: the nearest category, then the smallest
        region; a copy of the unit."""
        depth = {pk: index for index, pk in enumerate(self.lineage(category_id))}
        rules = [
            rule
            for length in range(1, len(region_path) + 1)
            for rule in self.rules.get(region_path[:length], ())
            if rule.category_id is None or rule.category_id in depth
        ]
        rules.sort(
            key=lambda rule: (
                depth.get(rule.category_id, len(depth)) if rule.category_id else len(depth),
                -len(rule.region_path),
            )
        )
        for rule in rules:
            unit = (
                self.units.get(rule.unit_id)
                if rule.unit_id
                else self._team(region_path, rule.place_level)
            )
            if unit is not None and unit.active:
                return copy.copy(unit)
        return None

    def _team(self, path: str, level: str) -> HandlingUnit | None:
        length = TEAM_LEVEL.get(PlaceLevel(level)) if level else None
        if length is None or len(path) < length:
            return None
        return self.teams.get((path[:length], level))


_held: Setup | None = None
_checked = threading.local()


def current() -> Setup:
    """The setup, read again if it changed since this process read it. The version is read
    once per request (or job): what a request sees stays the same while it runs."""
    global _held
    held = _held
    # Outside a request or job each call is a context of its own, and checks.
    context = current_context()
    if held is not None and getattr(_checked, "context", None) is context:
        return held
    version = _version()
    if held is None or held.version != version:
        held = _load(version)
        _held = held
    _checked.context = context
    return held


def _version() -> str:
    # By hand: once per request, and the ORM's building of this one lookup cost more than the
    # database's answer (finding 48).
    table = connection.ops.quote_name(SetupVersion._meta.db_table)
    with hotsql.cursor(connection) as cursor:
        cursor.execute(f"SELECT version FROM {table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else ""


def _load(version: str) -> Setup:
    categories = {category.pk: category for category in Category.objects.all()}
    for category in categories.values():
        if category.parent_id in categories:
            category.parent = categories[category.parent_id]
    units = {unit.pk: unit for unit in HandlingUnit.objects.order_by("created_at", "id")}
    teams: dict[tuple[str, str], HandlingUnit] = {}
    for unit in units.values():
        if unit.active:
            teams.setdefault((unit.region_path, unit.kind), unit)
    rules: dict[str, list[RoutingRule]] = {}
    for rule in RoutingRule.objects.all():
        rules.setdefault(rule.region_path, []).append(rule)
    return Setup(
        version=version,
        categories=categories,
        by_code={category.code: category for category in categories.values()},
        rules=rules,
        units=units,
        teams=teams,
        days=dict(CalendarDay.objects.values_list("day", "is_workday")),
    )


def changed(*, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """The categories, units, rules or calendar days changed: every process reads them again.
    A signal receiver as well (its arguments are ignored)."""
    global _held
    SetupVersion.objects.using(using).update_or_create(pk=1, defaults={"version": uuid.uuid4().hex})
    _held = None
