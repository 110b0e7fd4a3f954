"""The follow-up pages: the phone sheet of a slot, fever alerts, missed check-ins, a site's
sampling list. Pages call the same services as the API."""

import datetime
import decimal
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core.api import page_of
from fangyi.core.masking import mask_name
from fangyi.core.pagination import InvalidCursor
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.schemas import PageParams

from ..area import ORDER, SITE
from ..models import CheckIn, CheckInSlot, Site
from . import services

NEWEST_FIRST = ("-reported_at", "-id")
ORDERS = ("region_path", "id")
PAGE = 50
OK = "ok"
UNWELL = "unwell"


def _page(request) -> PageParams:
    cursor = request.GET.get("cursor") or None
    if cursor is not None and (len(cursor) > 500 or "\x00" in cursor):
        raise Http404
    return PageParams(cursor=cursor, limit=PAGE)


def _paged(request, queryset, ordering):
    try:
        return page_of(queryset, ordering=ordering, page=_page(request))
    except InvalidCursor as exc:
        raise Http404 from exc


HOME = "home"


def _chosen_site(request, user) -> Site | None:
    """The site whose sheet is asked for; none for the home-isolated of the user's regions.
    Without a choice, whoever works at a site starts at their (first) site."""
    raw = request.GET.get("site") or ""
    if raw == HOME:
        return None
    if not raw:
        return services.sites_for(user).first()
    try:
        pk = uuid.UUID(raw)
    except ValueError as exc:
        raise Http404 from exc
    return get_object_or_404(services.sites_for(user), pk=pk)


def _chosen_slot(request, current: int) -> int:
    raw = request.GET.get("slot") or ""
    return int(raw) if raw in ("1", "2") else current


def _sheet_rows(orders, day, slot) -> list[dict]:
    """Everyone of the sheet in two queries, as plain values: 2,000 rows render in time."""
    reported = {
        order_id: (temperature, fever)
        for order_id, temperature, fever in CheckIn.objects.filter(
            order__in=orders.values("pk"), day=day, slot=slot
        ).values_list("order_id", "temperature", "fever")
    }
    rows = []
    for order_id, name, room in orders.order_by("room__number", "person__name", "id").values_list(
        "id", "person__name", "room__number"
    ):
        done = reported.get(order_id)
        rows.append(
            {
                "id": order_id,
                "name": mask_name(name),
                "room": room or "",
                "done": done is not None,
                "temperature": done[0] if done else None,
                "fever": bool(done and done[1]),
            }
        )
    return rows


# A site's 2,000 rows in the template language took most of the sheet's time budget; the same
# markup is filled in here with each value escaped, the labels translated once per request.
# The number and the symptoms are added by sheet.js to the rows tapped "异常" only: 2,000 rows
# of them would weigh a megabyte.
ROW = (
    '<li class="list-group-item d-flex flex-wrap align-items-center gap-2{tone}">'
    '<span class="flex-grow-1"><span class="masked">{name}</span> '
    '<small class="text-body-secondary">{room}</small>{done}</span>'
    '<label class="btn btn-sm btn-outline-success"><input type="radio" class="btn-check" '
    'name="s-{id}" value="ok">{ok}</label><label class="btn btn-sm btn-outline-danger">'
    '<input type="radio" class="btn-check unwell" name="s-{id}" value="unwell">{unwell}</label>'
    "</li>\n"
)


def _rendered_rows(rows: list[dict]) -> SafeString:
    labels = {"ok": escape(_("正常")), "unwell": escape(_("异常"))}
    reported = escape(_("已报"))
    parts = []
    for row in rows:
        done = ""
        if row["done"]:
            value = f"{row['temperature']}℃" if row["temperature"] is not None else reported
            done = f" <small>{value}</small>"
        tone = (
            " list-group-item-danger"
            if row["fever"]
            else (" list-group-item-light" if row["done"] else "")
        )
        parts.append(
            ROW.format(
                tone=tone,
                id=row["id"].hex,
                name=escape(row["name"]),
                room=escape(row["room"]),
                done=done,
                **labels,
            )
        )
    # Every value above is escaped, or a hex id.
    return mark_safe("".join(parts))


def _posted_items(post, rows: list[dict]) -> tuple[list[services.CheckInInput], list[str]]:
    """What the sheet sends: per person "ok" or "unwell" with a number and symptoms; "the rest
    are normal" fills in everyone due who was left untouched."""
    rest_normal = post.get("rest") == "1"
    items: list[services.CheckInInput] = []
    problems: list[str] = []
    for row in rows:
        key = row["id"].hex
        choice = post.get(f"s-{key}", "")
        if choice == OK or (not choice and rest_normal and not row["done"]):
            items.append(services.CheckInInput(order_id=row["id"]))
        elif choice == UNWELL:
            raw = post.get(f"t-{key}", "").strip()
            temperature = None
            if raw:
                try:
                    temperature = decimal.Decimal(raw[:8]).quantize(decimal.Decimal("0.1"))
                except (decimal.InvalidOperation, ValueError):
                    problems.append(_("%(name)s：体温应为数字。") % {"name": row["name"]})
                    continue
            symptoms = tuple(post.getlist(f"y-{key}"))
            if temperature is None and not symptoms:
                problems.append(_("%(name)s：请填写体温或勾选症状。") % {"name": row["name"]})
                continue
            items.append(
                services.CheckInInput(
                    order_id=row["id"], temperature=temperature, symptoms=symptoms
                )
            )
    return items, problems


def _explain(exc: ValidationError, rows: list[dict], items) -> list[str]:
    """A service's "items.3.temperature" told as the person's (masked) name."""
    names = {row["id"]: row["name"] for row in rows}
    said: list[str] = []
    for name, errors in exc.message_dict.items():
        parts = name.split(".")
        who = ""
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(items):
            who = names.get(items[int(parts[1])].order_id, "")
        said.extend(f"{who}：{error}" if who else error for error in errors)
    return said


@login_required
def sheet(request):
    """The phone sheet of a slot: a site's people, or the home-isolated of the user's grids."""
    user = request.user
    if not can(user, ORDER, CHANGE):
        raise PermissionDenied
    site = _chosen_site(request, user)
    day, current = services.current_slot()
    slot = _chosen_slot(request, current)
    orders = services.site_orders(site) if site else services.home_orders_for(user)
    rows = _sheet_rows(orders, day, slot)
    if request.method == "POST":
        items, problems = _posted_items(request.POST, rows)
        if not items and not problems:
            problems.append(_("没有选择任何人。"))
        if not problems:
            try:
                recorded = services.record(actor=user, items=items, slot=slot)
            except ValidationError as exc:
                problems = _explain(exc, rows, items)
            else:
                if recorded.fevers:
                    messages.warning(
                        request,
                        _("已记录 %(n)d 人，其中 %(f)d 人发热或有症状，已通知干部并生成转诊任务。")
                        % {"n": len(items), "f": len(recorded.fevers)},
                    )
                else:
                    messages.success(request, _("已记录 %(n)d 人。") % {"n": len(items)})
                return redirect(request.get_full_path())
        for problem in problems[:20]:
            messages.error(request, problem)
    due = sum(1 for row in rows if not row["done"])
    return render(
        request,
        "isolation/followup/sheet.html",
        {
            "site": site,
            "sites": list(services.sites_for(user)[:100]),
            "day": day,
            "slot": slot,
            "slot_name": CheckInSlot(slot).label,
            "rows": rows,
            "rendered_rows": _rendered_rows(rows),
            "due": due,
            "symptoms": services.SYMPTOMS,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
def alerts(request):
    user = request.user
    if not can(user, ORDER, VIEW):
        raise PermissionDenied
    rows, next_cursor = _paged(
        request, services.open_alerts(user).select_related("person", "order__site"), NEWEST_FIRST
    )
    return render(
        request,
        "isolation/followup/alerts.html",
        {
            "alerts": rows,
            "next_cursor": next_cursor,
            "may_handle": can(user, ORDER, ADD),
            "symptoms": services.SYMPTOMS,
        },
    )


@login_required
@require_POST
def alert_handle(request, pk: uuid.UUID):
    check_in = get_object_or_404(CheckIn.objects.restrict(request.user, VIEW), pk=pk)
    try:
        services.handle_alert(actor=request.user, check_in=check_in)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已标记为已处理。"))
    return redirect(reverse("followup:alerts"))


def _chosen_day(request) -> datetime.date:
    raw = request.GET.get("day") or ""
    if not raw:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(raw[:10])
    except ValueError as exc:
        raise Http404 from exc


@login_required
def missed(request):
    user = request.user
    if not can(user, ORDER, VIEW):
        raise PermissionDenied
    day = _chosen_day(request)
    orders = services.missed(services.followed_orders(user), day).select_related(
        "person__household__building", "site", "room"
    )
    rows, next_cursor = _paged(request, orders, ORDERS)
    return render(
        request,
        "isolation/followup/missed.html",
        {
            "orders": rows,
            "next_cursor": next_cursor,
            "day": day,
            "cutoff": services.missed_after(day),
            "passed": timezone.now() >= services.missed_after(day),
        },
    )


@login_required
def sampling(request, pk: uuid.UUID):
    """Who of a site is due a test today, and whether the result is in."""
    if not can(request.user, SITE, VIEW):
        raise PermissionDenied
    site = get_object_or_404(Site.objects.restrict(request.user, VIEW), pk=pk)
    day = timezone.localdate()
    orders = services.due_a_test(services.site_orders(site), day)
    arrived = services.results_in([order.person_id for order in orders], day)
    rows = [
        {
            "order": order,
            "day_number": services.day_of_order(order.started_at, day),
            "result_in": order.person_id in arrived,
        }
        for order in orders
        if order.started_at is not None
    ]
    return render(
        request,
        "isolation/followup/sampling.html",
        {
            "site": site,
            "day": day,
            "rows": rows,
            "waiting": sum(1 for row in rows if not row["result_in"]),
        },
    )
