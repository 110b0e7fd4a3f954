"""The hotline's setup pages (热线设置): the category tree, handling units, routing rules,
the calendar days entered by hand and Open311 partners' keys. Who holds `hotline_setup`/view
reads them (operators and officers too); the forms are for who may add or change (the
administrators and the command centre). Lists are keyset pages; removing a rule or a day and
revoking a key ask for confirmation first. Every write goes through a service."""

import datetime
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from fangyi.core.forms import add_service_errors
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.regions.models import Region

from .. import services as hotline
from ..area import HOTLINE_SETUP
from ..models import CalendarDay, Category, HandlingUnit, Open311Key, RoutingRule
from ..open311 import services as open311
from . import services
from .forms import (
    ANY_CATEGORY,
    CalendarDayForm,
    CategoryForm,
    ConfirmForm,
    KeyForm,
    RuleForm,
    UnitForm,
    usernames,
)

UNIT_ORDER = ("region_path", "name", "id")
RULE_ORDER = ("region_path", "id")
DAY_ORDER = ("-day",)
KEY_ORDER = ("-created_at", "id")
NOT_HERE = _("没有这个区域代码，或其不在您的辖区内。")


def _need(user, action: str = VIEW) -> None:
    if not can(user, HOTLINE_SETUP, action):
        raise PermissionDenied


def _status(request, form) -> int:
    """A form sent back with its errors is a 400, so that a client sees it was refused."""
    return 400 if request.method == "POST" and form.errors else 200


def _regional_list(request, template: str, rows, next_cursor):
    """A page of units or rules, each changeable where the user may change the setup."""
    user = request.user
    return render(
        request,
        template,
        {
            "rows": rows,
            "next_cursor": next_cursor,
            "may_add": can(user, HOTLINE_SETUP, ADD),
            "may_change": {
                row.pk for row in rows if can(user, HOTLINE_SETUP, CHANGE, row.region_path)
            },
        },
    )


def _form_page(request, form, title, back: str, *, subtitle: str = ""):
    """One of the setup's forms, new or sent back with its errors."""
    return render(
        request,
        "hotline/setup/form.html",
        {"form": form, "title": title, "subtitle": subtitle, "back": back},
        status=_status(request, form),
    )


def _confirmation(request) -> ConfirmForm:
    """Bound on every POST, an empty one too: a POST without the box ticked is refused."""
    return ConfirmForm(request.POST if request.method == "POST" else None)


def _region(user, form, action: str = ADD) -> Region | None:
    """The region a form names, if the user may set the hotline up there; the same message
    whether it does not exist or lies outside, so that the form tells nothing of the tree."""
    code = form.cleaned_data["region"]
    found = Region.objects.filter(code=code).first()
    if found is None or not can(user, HOTLINE_SETUP, action, found.path):
        form.add_error("region", NOT_HERE)
        return None
    return found


def _staff(form, field: str) -> list:
    try:
        return hotline.staff_named(usernames(form.cleaned_data[field]), field)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return []


@login_required
def index(request):
    user = request.user
    _need(user)
    return render(
        request,
        "hotline/setup/index.html",
        {
            "categories": Category.objects.count(),
            "units": HandlingUnit.objects.restrict(user, VIEW).count(),
            "rules": RoutingRule.objects.restrict(user, VIEW).count(),
            "days": CalendarDay.objects.count(),
            "keys": Open311Key.objects.restrict(user, VIEW).filter(active=True).count(),
        },
    )


# Categories


def category_tree() -> list[tuple[Category, int]]:
    """Every category with its depth, children under their parent (the tree is small)."""
    nodes = list(Category.objects.order_by("order", "id"))
    children: dict[int | None, list[Category]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    rows: list[tuple[Category, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for node in children.get(parent, []):
            rows.append((node, depth))
            walk(node.pk, depth + 1)

    walk(None, 0)
    return rows


@login_required
def categories(request):
    user = request.user
    _need(user)
    return render(
        request,
        "hotline/setup/categories.html",
        {
            "rows": category_tree(),
            "may_add": can(user, HOTLINE_SETUP, ADD),
            "may_change": can(user, HOTLINE_SETUP, CHANGE),
        },
    )


def _category_input(form) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "kind": data["kind"],
        "parent": Category.objects.filter(code=data["parent"]).first() if data["parent"] else None,
        "limit_minutes": data["limit_minutes"],
        "limit_working_days": data["limit_working_days"],
        "confidential": data["confidential"],
        "order": data["order"],
    }


@login_required
def category_create(request):
    user = request.user
    _need(user, ADD)
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_category(
                actor=user, code=form.cleaned_data["code"], **_category_input(form)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("类别已创建。"))
            return redirect("hotline_setup:categories")
    return _form_page(request, form, _("新建类别"), "hotline_setup:categories")


@login_required
def category_edit(request, pk: int):
    user = request.user
    _need(user, CHANGE)
    category = get_object_or_404(Category, pk=pk)
    initial = {
        "name": category.name,
        "parent": category.parent.code if category.parent else "",
        "kind": category.kind,
        "limit_minutes": category.limit_minutes,
        "limit_working_days": category.limit_working_days,
        "confidential": category.confidential,
        "active": category.active,
        "order": category.order,
    }
    form = CategoryForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_category(
                actor=user,
                category=category,
                active=form.cleaned_data["active"],
                **_category_input(form),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("类别已保存。"))
            return redirect("hotline_setup:categories")
    return _form_page(
        request,
        form,
        _("修改类别：%(name)s") % {"name": category.name},
        "hotline_setup:categories",
        subtitle=category.code,
    )


# Units


@login_required
def units(request):
    user = request.user
    _need(user)
    rows, next_cursor = cursor_page(
        request,
        HandlingUnit.objects.restrict(user, VIEW)
        .select_related("region")
        .annotate(member_count=Count("members", distinct=True)),
        UNIT_ORDER,
    )
    return _regional_list(request, "hotline/setup/units.html", rows, next_cursor)


@login_required
def unit_create(request):
    user = request.user
    _need(user, ADD)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        region = _region(user, form)
        members, supervisors = _staff(form, "members"), _staff(form, "supervisors")
        if region is not None and not form.errors:
            data = form.cleaned_data
            try:
                hotline.create_unit(
                    actor=user,
                    code=data["code"],
                    name=data["name"],
                    kind=data["kind"],
                    region=region,
                    phone=data["phone"],
                    members=members,
                    supervisors=supervisors,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("承办单位已创建。"))
                return redirect("hotline_setup:units")
    return _form_page(request, form, _("新建承办单位"), "hotline_setup:units")


@login_required
def unit_edit(request, pk: uuid.UUID):
    user = request.user
    _need(user, CHANGE)
    unit = get_object_or_404(
        HandlingUnit.objects.restrict(user, CHANGE).select_related("region"), pk=pk
    )
    initial = {
        "name": unit.name,
        "phone": unit.phone,
        "members": " ".join(sorted(each.get_username() for each in unit.members.all())),
        "supervisors": " ".join(sorted(each.get_username() for each in unit.supervisors.all())),
        "active": unit.active,
    }
    form = UnitForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        members, supervisors = _staff(form, "members"), _staff(form, "supervisors")
        if not form.errors:
            data = form.cleaned_data
            try:
                services.update_unit(
                    actor=user,
                    unit=unit,
                    name=data["name"],
                    phone=data["phone"],
                    members=members,
                    supervisors=supervisors,
                    active=data["active"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("承办单位已保存。"))
                return redirect("hotline_setup:units")
    return _form_page(
        request,
        form,
        _("修改承办单位：%(name)s") % {"name": unit.name},
        "hotline_setup:units",
        subtitle=f"{unit.code} · {unit.get_kind_display()} · {unit.region.name}",
    )


# Routing rules


@login_required
def rules(request):
    user = request.user
    _need(user)
    rows, next_cursor = cursor_page(
        request,
        RoutingRule.objects.restrict(user, VIEW).select_related("category", "region", "unit"),
        RULE_ORDER,
    )
    return _regional_list(request, "hotline/setup/rules.html", rows, next_cursor)


def _rule_units(user, keep: uuid.UUID | None = None) -> list[HandlingUnit]:
    """The units a rule may send to: the active ones the user sees, and the one it already
    names (`keep`), stopped or not."""
    active = Q(active=True) | Q(pk=keep) if keep else Q(active=True)
    return list(
        HandlingUnit.objects.restrict(user, VIEW).filter(active).order_by("region_path", "name")
    )


def _rule_target(form, units: list[HandlingUnit]) -> dict:
    """The category, unit and place level a valid rule form names."""
    data = form.cleaned_data
    category = None
    if data["category"] != ANY_CATEGORY:
        category = Category.objects.filter(code=data["category"]).first()
    unit = next((each for each in units if str(each.pk) == data["unit"]), None)
    return {"category": category, "unit": unit, "place_level": data["place_level"]}


@login_required
def rule_create(request):
    user = request.user
    _need(user, ADD)
    units = _rule_units(user)
    form = RuleForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        region = _region(user, form)
        if region is not None and not form.errors:
            try:
                hotline.create_rule(actor=user, region=region, **_rule_target(form, units))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("派单规则已创建。"))
                return redirect("hotline_setup:rules")
    return _form_page(request, form, _("新建派单规则"), "hotline_setup:rules")


@login_required
def rule_edit(request, pk: uuid.UUID):
    user = request.user
    _need(user, CHANGE)
    rule = get_object_or_404(
        RoutingRule.objects.restrict(user, CHANGE).select_related("category", "region", "unit"),
        pk=pk,
    )
    units = _rule_units(user, keep=rule.unit_id)
    initial = {
        "category": rule.category.code if rule.category else ANY_CATEGORY,
        "unit": str(rule.unit_id) if rule.unit_id else "",
        "place_level": rule.place_level,
    }
    form = RuleForm(request.POST or None, initial=initial, units=units, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_rule(actor=user, rule=rule, **_rule_target(form, units))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("派单规则已保存。"))
            return redirect("hotline_setup:rules")
    return _form_page(
        request,
        form,
        _("修改派单规则"),
        "hotline_setup:rules",
        subtitle=_rule_text(rule),
    )


def _rule_text(rule: RoutingRule) -> str:
    target = rule.unit.name if rule.unit else rule.get_place_level_display()
    return _("%(region)s 的「%(category)s」派给 %(target)s") % {
        "region": rule.region.name,
        "category": rule.category.name if rule.category else _("任何类别"),
        "target": target,
    }


@login_required
def rule_delete(request, pk: uuid.UUID):
    user = request.user
    _need(user, CHANGE)
    rule = get_object_or_404(
        RoutingRule.objects.restrict(user, CHANGE).select_related("category", "region", "unit"),
        pk=pk,
    )
    form = _confirmation(request)
    if request.method == "POST" and form.is_valid():
        services.delete_rule(actor=user, rule=rule)
        messages.success(request, _("派单规则已删除。"))
        return redirect("hotline_setup:rules")
    return render(
        request,
        "hotline/setup/confirm.html",
        {
            "form": form,
            "title": _("删除派单规则"),
            "what": _rule_text(rule),
            "warning": _("删除后，新工单按其余规则派单；已派出的工单不受影响。"),
            "button": _("删除"),
            "back": "hotline_setup:rules",
        },
        status=_status(request, form),
    )


# Calendar days


@login_required
def calendar(request):
    user = request.user
    _need(user)
    may_change = can(user, HOTLINE_SETUP, CHANGE)
    form = CalendarDayForm(request.POST or None) if may_change else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                hotline.set_calendar_day(
                    actor=user, day=data["day"], is_workday=data["is_workday"], note=data["note"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已录入。"))
                return redirect("hotline_setup:calendar")
    rows, next_cursor = cursor_page(
        request, CalendarDay.objects.select_related("entered_by"), DAY_ORDER
    )
    return render(
        request,
        "hotline/setup/calendar.html",
        {"rows": rows, "next_cursor": next_cursor, "form": form, "may_change": may_change},
        status=_status(request, form) if form is not None else 200,
    )


@login_required
def calendar_delete(request, day: str):
    user = request.user
    _need(user, CHANGE)
    try:
        moment = datetime.date.fromisoformat(day)
    except ValueError as exc:
        raise Http404 from exc
    entry = get_object_or_404(CalendarDay, day=moment)
    form = _confirmation(request)
    if request.method == "POST" and form.is_valid():
        services.delete_calendar_day(actor=user, day=entry.day)
        messages.success(request, _("已删除，这一天恢复按法定日历计。"))
        return redirect("hotline_setup:calendar")
    kind = _("上班") if entry.is_workday else _("休息")
    return render(
        request,
        "hotline/setup/confirm.html",
        {
            "form": form,
            "title": _("删除手工录入的日期"),
            "what": f"{entry.day:%Y-%m-%d} · {kind}{' · ' + entry.note if entry.note else ''}",
            "warning": _(
                "删除后这一天按法定日历（未发布的年份按周一至周五）计；已受理工单的时限不变。"
            ),
            "button": _("删除"),
            "back": "hotline_setup:calendar",
        },
        status=_status(request, form),
    )


# Open311 partners' keys


@login_required
def keys(request):
    user = request.user
    _need(user)
    rows, next_cursor = cursor_page(
        request, Open311Key.objects.restrict(user, VIEW).select_related("region"), KEY_ORDER
    )
    return render(
        request,
        "hotline/setup/keys.html",
        {
            "rows": rows,
            "next_cursor": next_cursor,
            "may_add": can(user, HOTLINE_SETUP, ADD),
            "may_revoke": {
                row.pk
                for row in rows
                if row.active and can(user, HOTLINE_SETUP, ADD, row.region_path)
            },
        },
    )


@login_required
def key_create(request):
    """Issues a key and shows it on the answer to the form, once: only its digest is kept,
    and the page is not cached."""
    user = request.user
    _need(user, ADD)
    form = KeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        region = _region(user, form)
        if region is not None:
            try:
                key, raw = open311.issue_key(
                    actor=user, partner=form.cleaned_data["partner"], region=region
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                response = render(
                    request, "hotline/setup/key_issued.html", {"key": key, "raw": raw}
                )
                response["Cache-Control"] = "no-store"
                return response
    return _form_page(request, form, _("发放 Open311 接口密钥"), "hotline_setup:keys")


@login_required
def key_revoke(request, pk: uuid.UUID):
    user = request.user
    _need(user, ADD)
    key = get_object_or_404(
        Open311Key.objects.restrict(user, ADD).filter(active=True).select_related("region"),
        pk=pk,
    )
    form = _confirmation(request)
    if request.method == "POST" and form.is_valid():
        open311.revoke_key(actor=user, key=key)
        messages.success(request, _("密钥已停用。"))
        return redirect("hotline_setup:keys")
    return render(
        request,
        "hotline/setup/confirm.html",
        {
            "form": form,
            "title": _("停用 Open311 接口密钥"),
            "what": f"{key.partner} · {key.prefix}… · {key.region.name}",
            "warning": _(
                "停用后，该合作方用这把密钥报送会被拒绝（403），不能恢复；需要时另发一把。"
            ),
            "button": _("停用"),
            "back": "hotline_setup:keys",
        },
        status=_status(request, form),
    )
