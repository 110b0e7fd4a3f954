"""Notices' staff pages: the list, writing a draft, a notice with its counts per region and
its SMS, publishing and withdrawing (each confirmed), the A4 page for doors and boards, and on
the grid worker's phone the households not reached, each with "told in person"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core.forms import add_service_errors
from fangyi.core.permissions import ADD, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.regions.models import Region

from . import services
from .area import NOTICE, NOTICE_REACH
from .forms import ConfirmForm, NoticeFilterForm, NoticeForm, ReasonForm
from .models import Notice, NoticeState

NEWEST = ("-created_at", "-id")
BY_PLACE = ("region_path", "unit", "room", "id")


def _visible(request, pk) -> Notice:
    return get_object_or_404(services.visible_notices(request.user).select_related("region"), pk=pk)


def _changeable(request, pk) -> Notice:
    notice = _visible(request, pk)
    if not services.may_change(request.user, notice):
        raise PermissionDenied
    return notice


@login_required
def notice_list(request):
    user = request.user
    if not can(user, NOTICE, VIEW):
        raise PermissionDenied
    form = NoticeFilterForm(request.GET)
    state = form.cleaned_data.get("state") if form.is_valid() else ""
    notices = services.visible_notices(user).select_related("region")
    if state:
        notices = notices.filter(state=state)
    rows, next_cursor = cursor_page(request, notices, NEWEST)
    return render(
        request,
        "notices/list.html",
        {
            "form": form,
            "notices": rows,
            "next_cursor": next_cursor,
            "filtered": bool(state),
            "may_add": can(user, NOTICE, ADD),
        },
    )


@login_required
def notice_create(request):
    if not can(request.user, NOTICE, ADD):
        raise PermissionDenied
    form = NoticeForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.create_notice(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("草稿已保存。核对无误后请发布。"))
            return redirect("notices:detail", pk=notice.pk)
    return render(request, "notices/form.html", {"form": form, "notice": None})


@login_required
def notice_edit(request, pk):
    notice = _changeable(request, pk)
    if notice.state != NoticeState.DRAFT:
        messages.error(request, _("只有草稿可以修改；已发布的通知请撤回后重新起草。"))
        return redirect("notices:detail", pk=notice.pk)
    form = NoticeForm(
        request.POST if request.method == "POST" else None, user=request.user, notice=notice
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_notice(actor=request.user, notice=notice, changes=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("notices:detail", pk=notice.pk)
    return render(request, "notices/form.html", {"form": form, "notice": notice})


def _asked_region(request) -> Region | None:
    """The region `?region=` names, if the user sees it; region codes are digits, so anything
    else (a NUL byte, which PostgreSQL refuses) names none."""
    code = (request.GET.get("region") or "").strip()[:18]
    if not code:
        return None
    region = None
    if code.isdigit():
        region = Region.objects.restrict(request.user, VIEW).filter(code=code).first()
    if region is None:
        messages.warning(request, _("没有找到该区域，或不在您的辖区内。"))
    return region


def _chosen_region(request, notice: Notice) -> Region | None:
    return _asked_region(request) or services.default_region(request.user, notice)


@login_required
def notice_detail(request, pk):
    notice = _visible(request, pk)
    region = _chosen_region(request, notice)
    total, rows = services.reach_counts(notice, region) if region is not None else (None, [])
    return render(
        request,
        "notices/detail.html",
        {
            "notice": notice,
            "targets": list(notice.targets.select_related("region").order_by("path")),
            "region": region,
            "parent": region.parent if region is not None and region.parent_id else None,
            "total": total,
            "rows": rows,
            "sms": services.sms_summary(notice),
            "may_change": services.may_change(request.user, notice),
            "may_reach": can(request.user, NOTICE_REACH, VIEW),
        },
    )


@login_required
@require_POST
def notice_publish(request, pk):
    notice = _changeable(request, pk)
    if not ConfirmForm(request.POST).is_valid():
        messages.error(request, _("请勾选确认后再发布。"))
        return redirect("notices:detail", pk=notice.pk)
    try:
        services.publish_notice(actor=request.user, notice=notice)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已发布：居民端立即可见，未使用居民端的居民将收到短信。"))
    return redirect("notices:detail", pk=notice.pk)


@login_required
@require_POST
def notice_withdraw(request, pk):
    notice = _changeable(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明理由，并勾选确认。"))
        return redirect("notices:detail", pk=notice.pk)
    try:
        services.withdraw_notice(
            actor=request.user, notice=notice, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已撤回，居民端将显示撤回理由；未发出的短信已取消。"))
    return redirect("notices:detail", pk=notice.pk)


@login_required
def notice_print(request, pk):
    """The notice on one A4 page, for building doors and notice boards."""
    notice = _visible(request, pk)
    if notice.state == NoticeState.DRAFT and not services.may_change(request.user, notice):
        raise PermissionDenied
    return render(
        request,
        "notices/print.html",
        {
            "notice": notice,
            "targets": list(notice.targets.select_related("region").order_by("path")),
        },
    )


@login_required
def notice_unreached(request, pk):
    """On the grid worker's phone: the households of their grid nobody has reached yet."""
    notice = _visible(request, pk)
    if not can(request.user, NOTICE_REACH, VIEW):
        raise PermissionDenied
    region = _asked_region(request)
    households = services.unreached_households(
        notice, request.user, within=region.path if region else ""
    ).select_related("building")
    rows, next_cursor = cursor_page(request, households, BY_PLACE)
    return render(
        request,
        "notices/unreached.html",
        {
            "notice": notice,
            "households": rows,
            "next_cursor": next_cursor,
            "region": region,
            "may_tell": can(request.user, NOTICE_REACH, ADD)
            and notice.state == NoticeState.PUBLISHED,
        },
    )


@login_required
@require_POST
def notice_told(request, pk, household):
    notice = _visible(request, pk)
    if not can(request.user, NOTICE_REACH, ADD):
        raise PermissionDenied
    found = get_object_or_404(services.households_for(notice, request.user), pk=household)
    try:
        services.mark_told(actor=request.user, notice=notice, household=found)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已登记：%(address)s 已当面告知。") % {"address": found})
    target = request.POST.get("next") or ""
    if target.startswith("/notices/") and "//" not in target:
        return redirect(target)
    return redirect("notices:unreached", pk=notice.pk)
