"""Changes to the hotline's set-up that its core has no service for: the category tree,
a unit's name, staff and state, editing and removing a routing rule, removing a calendar day
entered by hand.
Creating units and rules, entering a day and the Open311 keys are the core's and Open311's
services; these follow them: keyword-only, `require` first, an ObjectChange for every write.

Categories and calendar days belong to the whole installation, not to a region, so they ask
for the right without a region, as `services.set_calendar_day` does."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.models import ObjectChange
from fangyi.core.permissions import ADD, CHANGE, require

from ..area import HOTLINE_SETUP
from ..models import CalendarDay, Category, HandlingUnit, Kind, PlaceLevel, RoutingRule

CATEGORY_FIELDS = [
    "code",
    "name",
    "parent",
    "kind",
    "limit_minutes",
    "limit_working_days",
    "confidential",
    "active",
    "order",
]
UNIT_FIELDS = ["name", "phone", "active"]
RULE_FIELDS = ["category", "region", "unit", "place_level"]
# A wall-clock limit longer than a week, or more working days than a quarter, is a typo.
LONGEST_MINUTES = 7 * 24 * 60
LONGEST_WORKING_DAYS = 60


def _text(value: str | None, field: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("不能包含空字符（\\0）。")})
    if required and not value:
        raise ValidationError({field: _("请填写此项。")})
    if len(value) > limit:
        raise ValidationError({field: _("最多 %(max)d 个字。") % {"max": limit}})
    return value


def _limits(limit_minutes: int | None, limit_working_days: int | None) -> None:
    if limit_minutes is not None and limit_working_days is not None:
        raise ValidationError(
            {"limit_minutes": _("时限按分钟或按工作日计，只能填一种；都不填则按性质。")}
        )
    if limit_minutes is not None and not 1 <= limit_minutes <= LONGEST_MINUTES:
        raise ValidationError(
            {"limit_minutes": _("时限应在 1 到 %(n)d 分钟之间。") % {"n": LONGEST_MINUTES}}
        )
    if limit_working_days is not None and not 1 <= limit_working_days <= LONGEST_WORKING_DAYS:
        raise ValidationError(
            {
                "limit_working_days": _("时限应在 1 到 %(n)d 个工作日之间。")
                % {"n": LONGEST_WORKING_DAYS}
            }
        )


def _check_parent(category: Category | None, parent: Category | None) -> None:
    """A parent that is the category itself or one of its descendants would make a loop."""
    if parent is None or category is None:
        return
    if any(node.pk == category.pk for node in parent.lineage()):
        raise ValidationError({"parent": _("上级类别不能是它自己或它的下级。")})


def create_category(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    parent: Category | None = None,
    limit_minutes: int | None = None,
    limit_working_days: int | None = None,
    confidential: bool = False,
    order: int = 0,
) -> Category:
    """A new node of the category tree. Its code is what Open311 partners file with
    (service_code), so it is never changed afterwards."""
    require(actor, HOTLINE_SETUP, ADD)
    code = _text(code, "code", 40, required=True)
    name = _text(name, "name", 60, required=True)
    if kind not in Kind.values:
        raise ValidationError({"kind": _("请选择类别性质。")})
    _limits(limit_minutes, limit_working_days)
    if Category.objects.filter(code=code).exists():
        raise ValidationError({"code": _("该代码已被使用。")})
    with transaction.atomic():
        category = Category.objects.create(
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            limit_minutes=limit_minutes,
            limit_working_days=limit_working_days,
            confidential=confidential,
            order=order,
        )
        audit.record_created(actor=actor, obj=category, fields=CATEGORY_FIELDS)
    return category


def update_category(
    *,
    actor,
    category: Category,
    name: str,
    kind: str,
    parent: Category | None,
    limit_minutes: int | None,
    limit_working_days: int | None,
    confidential: bool,
    active: bool,
    order: int,
) -> Category:
    """A category's name, place in the tree, kind and limits, confidentiality and whether it
    takes new tickets. Tickets already taken in keep the limit and confidentiality they were
    given: the limit is computed at intake and the flag copied onto the ticket."""
    require(actor, HOTLINE_SETUP, CHANGE)
    name = _text(name, "name", 60, required=True)
    if kind not in Kind.values:
        raise ValidationError({"kind": _("请选择类别性质。")})
    _limits(limit_minutes, limit_working_days)
    with transaction.atomic():
        locked = Category.objects.select_for_update().get(pk=category.pk)
        _check_parent(locked, parent)
        before = audit.snapshot(locked, CATEGORY_FIELDS)
        locked.name, locked.kind, locked.parent = name, kind, parent
        locked.limit_minutes, locked.limit_working_days = limit_minutes, limit_working_days
        locked.confidential, locked.active, locked.order = confidential, active, order
        locked.save()
        audit.record_updated(
            actor=actor, obj=locked, before=before, after=audit.snapshot(locked, CATEGORY_FIELDS)
        )
    return locked


def update_unit(
    *,
    actor,
    unit: HandlingUnit,
    name: str,
    phone: str = "",
    members: Iterable = (),
    supervisors: Iterable = (),
    active: bool = True,
) -> HandlingUnit:
    """A unit's name, phone, staff and whether it takes tickets. A unit stopped keeps the
    tickets it holds; the rules skip it and no one can dispatch to it."""
    require(actor, HOTLINE_SETUP, CHANGE, unit.region_path)
    name = _text(name, "name", 100, required=True)
    phone = _text(phone, "phone", 20)
    members, supervisors = list(members), list(supervisors)
    with transaction.atomic():
        locked = HandlingUnit.objects.select_for_update().get(pk=unit.pk)
        before = audit.snapshot(locked, UNIT_FIELDS) | _staff_of(locked)
        locked.name, locked.phone, locked.active = name, phone, active
        locked.save(update_fields=UNIT_FIELDS)
        locked.members.set(members)
        locked.supervisors.set(supervisors)
        audit.record_updated(
            actor=actor,
            obj=locked,
            before=before,
            after=audit.snapshot(locked, UNIT_FIELDS) | _staff_of(locked),
        )
    return locked


def _staff_of(unit: HandlingUnit) -> dict[str, list[str]]:
    return {
        "members": sorted(user.get_username() for user in unit.members.all()),
        "supervisors": sorted(user.get_username() for user in unit.supervisors.all()),
    }


def update_rule(
    *,
    actor,
    rule: RoutingRule,
    category: Category | None,
    unit: HandlingUnit | None = None,
    place_level: str = "",
) -> RoutingRule:
    """A rule's category (any, when None) and where it sends: a unit, or the team of the
    ticket's street or community. Its region stays: it says where the rule applies and who may
    change it; to move a rule, remove it and make another. Tickets already dispatched stay
    with their units."""
    require(actor, HOTLINE_SETUP, CHANGE, rule.region_path)
    if (unit is None) == (not place_level):
        raise ValidationError(
            {"unit": _("请选择承办单位，或按所在地派给街道/社区专班（二选一）。")}
        )
    if place_level and place_level not in PlaceLevel.values:
        raise ValidationError({"place_level": _("请选择街道或社区。")})
    with transaction.atomic():
        locked = RoutingRule.objects.select_for_update().get(pk=rule.pk)
        # A unit stopped since keeps the rule that names it, but no rule is pointed at one.
        pointed = unit.pk if unit is not None and unit.pk != locked.unit_id else None
        if pointed and not HandlingUnit.objects.filter(pk=pointed, active=True).exists():
            raise ValidationError({"unit": _("该承办单位已停用。")})
        taken = RoutingRule.objects.filter(
            category=category, region_path=locked.region_path
        ).exclude(pk=locked.pk)
        if taken.exists():
            raise ValidationError({"category": _("该区域已有这个类别的派单规则。")})
        before = audit.snapshot(locked, RULE_FIELDS)
        locked.category, locked.unit, locked.place_level = category, unit, place_level
        locked.save(update_fields=["category", "unit", "place_level"])
        audit.record_updated(
            actor=actor, obj=locked, before=before, after=audit.snapshot(locked, RULE_FIELDS)
        )
    return locked


def delete_rule(*, actor, rule: RoutingRule) -> None:
    """Removes a routing rule: tickets are routed by the others from now on; those already
    dispatched stay with their units."""
    require(actor, HOTLINE_SETUP, CHANGE, rule.region_path)
    with transaction.atomic():
        before = audit.snapshot(rule, RULE_FIELDS)
        audit.record_change(
            actor=actor,
            action=ObjectChange.DELETE,
            obj=rule,
            before=before,
            after=None,
            region_path=rule.region_path,
        )
        RoutingRule.objects.filter(pk=rule.pk).delete()


def delete_calendar_day(*, actor, day: datetime.date) -> None:
    """Forgets a day entered by hand: the official calendar (or Monday to Friday, for a year
    it does not know) rules it again for tickets taken in from now on."""
    require(actor, HOTLINE_SETUP, CHANGE)
    with transaction.atomic():
        entry = CalendarDay.objects.select_for_update().filter(day=day).first()
        if entry is None:
            raise ValidationError({"day": _("这一天没有手工录入的记录。")})
        audit.record_change(
            actor=actor,
            action=ObjectChange.DELETE,
            obj=entry,
            before={"day": day.isoformat(), "is_workday": entry.is_workday, "note": entry.note},
            after=None,
        )
        entry.delete()
