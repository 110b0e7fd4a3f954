"""Printing isolation notices and release certificates. Whoever may view an order may print
its documents; every print is an access event, a reprint too."""

import datetime
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from fangyi.codes import format as code_format
from fangyi.codes.qr import qr_png_data_uri
from fangyi.codes.services import issue_document_code
from fangyi.core.audit import record_access
from fangyi.core.models import AccessEvent
from fangyi.core.permissions import VIEW, require
from fangyi.health.models import QuarantineSetting
from fangyi.regions.models import PATH_LENGTHS, Level, Region

from ..area import ORDER
from ..models import OPEN_STATES, Order, OrderState
from .rendering import render_pdf

# Pages in one bulk print. A page takes WeasyPrint about a tenth of a second on one core
# (benchmarks/isolation_documents.py), so a hundred finish well within a web request's time;
# a longer list is printed in batches.
MAX_BULK = 100
# What a code on a notice says where the person is isolated at home.
HOME = "home"

# What the person must keep to, by the order's kind; printed on the notice.
RULES: dict[str, list] = {
    QuarantineSetting.CENTRALISED: [
        gettext_lazy("隔离期间单人单间，不得离开房间，不得串门。"),
        gettext_lazy("每天上午、下午各测量一次体温，如实上报体温和症状。"),
        gettext_lazy("在检测日配合工作人员完成核酸采样。"),
        gettext_lazy("出现发热、咳嗽、乏力等症状，立即告知工作人员。"),
    ],
    QuarantineSetting.HOME: [
        gettext_lazy("隔离期间足不出户，不得接待来访。"),
        gettext_lazy("每天上午、下午各测量一次体温，如实上报体温和症状。"),
        gettext_lazy("在检测日在家等候上门采样。"),
        gettext_lazy("生活垃圾装袋密封，由工作人员上门收取。"),
        gettext_lazy("出现发热、咳嗽、乏力等症状，立即电话报告，不得自行就医。"),
    ],
    QuarantineSetting.HOME_MONITORING: [
        gettext_lazy("非必要不外出；确需外出时全程佩戴口罩，不乘坐公共交通，不去人员密集场所。"),
        gettext_lazy("每天上午、下午各测量一次体温，如实上报体温和症状。"),
        gettext_lazy("在检测日按通知完成核酸检测。"),
        gettext_lazy("出现发热、咳嗽、乏力等症状，立即电话报告。"),
    ],
}


@dataclass(frozen=True)
class Printed:
    pdf: bytes
    filename: str
    # The `FY1:` text of every page's code, in page order.
    codes: list[str]


def orders_for(actor) -> QuerySet[Order]:
    """The orders `actor` may print documents of, with what a document shows."""
    return Order.objects.restrict(actor, VIEW).select_related(
        "person", "household__building", "site", "room", "created_by"
    )


def _day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _start(order: Order) -> datetime.datetime:
    # An order not yet started (to place, in transfer) runs from the day it was made.
    return order.started_at or order.created_at


def _planned_end(order: Order) -> datetime.datetime:
    if order.planned_end_at is not None:
        return order.planned_end_at
    return _start(order) + datetime.timedelta(days=order.term_days)


def _released_at(order: Order) -> datetime.datetime:
    return order.ended_at or order.state_changed_at


def _issuer_names(paths: Collection[str]) -> dict[str, str]:
    """order path -> the name of the district and street its officers work in: who issues
    the certificate."""
    street_length, district_length = PATH_LENGTHS[Level.STREET], PATH_LENGTHS[Level.DISTRICT]
    wanted = {path[:street_length] for path in paths} | {path[:district_length] for path in paths}
    names = dict(Region.objects.filter(path__in=wanted).values_list("path", "name"))
    found = {}
    for path in paths:
        parts = [names.get(path[:district_length]), names.get(path[:street_length])]
        found[path] = " ".join(part for part in parts if part)
    return found


def _person_lines(order: Order) -> dict:
    person = order.person
    return {
        "masked_name": person.masked_name,
        "masked_id_number": person.masked_id_number,
        "id_tail": (person.id_number or "")[-4:],
    }


def _kind_name(order: Order) -> str:
    return str(QuarantineSetting(order.kind).label)


def _code(text: str) -> dict:
    return {"text": text, "qr": qr_png_data_uri(text)}


def _place_text(order: Order) -> str:
    if order.site is not None:
        room = f" {order.room.number}" if order.room is not None else ""
        return f"{order.site.name}{room}"
    if order.household is not None:
        return _("居家（%(address)s）") % {"address": order.household.address}
    return _("居家")


def _contact_phone(order: Order) -> str:
    # The site's desk, or the officer who made the order: both stay the same on a reprint.
    if order.site is not None and order.site.phone:
        return order.site.phone
    return order.created_by.phone if order.created_by is not None else ""


def notice_page(order: Order, actor) -> dict:
    """What one isolation notice shows, its code included."""
    start, end = _day(_start(order)), _day(_planned_end(order))
    # The code lives until the end of the planned last day.
    expires_at = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time())
    )
    code = issue_document_code(
        user=actor,
        person=order.person,
        kind=code_format.NOTICE,
        issued_at=order.created_at,
        expires_at=expires_at,
        order_kind=order.kind,
        start=start,
        end=end,
        place=order.site.name if order.site is not None else HOME,
    )
    test_days = [
        {"number": number, "date": start + datetime.timedelta(days=number - 1)}
        for number in sorted(day for day in order.test_days if isinstance(day, int))
    ]
    return {
        "order": order,
        **_person_lines(order),
        "kind_name": _kind_name(order),
        "reason_name": order.get_reason_display(),
        "place": _place_text(order),
        "started": order.started_at is not None,
        "start": start,
        "end": end,
        "term_days": order.term_days,
        "test_days": test_days,
        "rules": [str(rule) for rule in RULES.get(order.kind, [])],
        "phone": _contact_phone(order),
        "code": _code(code.text),
        "code_expires_at": code.expires_at,
    }


def release_page(order: Order, issuer: str, actor) -> dict:
    """What one release certificate shows, its code included."""
    released_at = _released_at(order)
    start, end = _day(_start(order)), _day(released_at)
    code = issue_document_code(
        user=actor,
        person=order.person,
        kind=code_format.RELEASE,
        issued_at=released_at,
        expires_at=released_at + datetime.timedelta(days=settings.FANGYI_RELEASE_CODE_DAYS),
        order_kind=order.kind,
        start=start,
        end=end,
        released_at=released_at,
        region=issuer,
    )
    return {
        "order": order,
        **_person_lines(order),
        "kind_name": _kind_name(order),
        "reason_name": order.get_reason_display(),
        "start": start,
        "end": end,
        "released_at": released_at,
        "issuer": issuer,
        "code": _code(code.text),
        "code_expires_at": code.expires_at,
    }


def _record(actor, orders: Sequence[Order], what: str) -> None:
    with transaction.atomic():
        for order in orders:
            record_access(
                actor=actor,
                kind=AccessEvent.EXPORT,
                obj=order,
                reason=what,
                fields=["name", "id_number"],
            )


def _printed(template: str, pages: list[dict], title: str, filename: str) -> Printed:
    codes = [page["code"]["text"] for page in pages]
    pdf = render_pdf(template, {"pages": pages, "title": title, "codes": ";".join(codes)})
    return Printed(pdf=pdf, filename=filename, codes=codes)


def print_notice(*, actor, order: Order) -> Printed:
    """The isolation notice of an order not yet ended: to place, in transfer, active or
    extended."""
    require(actor, ORDER, VIEW, order.region_path, message=_("您无权打印该隔离令的文书。"))
    if order.state not in OPEN_STATES:
        raise ValidationError(
            {
                "order": [
                    _("该隔离令已%(state)s，不再打印隔离告知书。")
                    % {"state": order.get_state_display()}
                ]
            }
        )
    printed = _printed(
        "isolation/documents/notice.html",
        [notice_page(order, actor)],
        _("隔离告知书"),
        f"isolation-notice-{order.pk}.pdf",
    )
    _record(actor, [order], _("打印隔离告知书"))
    return printed


def _released_only(orders: Sequence[Order], field: str = "order") -> None:
    pending = [order for order in orders if order.state != OrderState.RELEASED]
    if pending:
        names = "、".join(str(order.person) for order in pending[:10])
        raise ValidationError(
            {
                field: [
                    ngettext(
                        "只有已解除的隔离令才能打印解除隔离证明；尚未解除：%(names)s。",
                        "只有已解除的隔离令才能打印解除隔离证明；尚未解除的 %(count)d 人：%(names)s。",
                        len(pending),
                    )
                    % {"count": len(pending), "names": names}
                ]
            }
        )


def print_release(*, actor, order: Order) -> Printed:
    """The release certificate of a released order."""
    require(actor, ORDER, VIEW, order.region_path, message=_("您无权打印该隔离令的文书。"))
    _released_only([order])
    printed = _printed(
        "isolation/documents/release.html",
        [release_page(order, _issuer_names([order.region_path])[order.region_path], actor)],
        _("解除隔离证明"),
        f"isolation-release-{order.pk}.pdf",
    )
    _record(actor, [order], _("打印解除隔离证明"))
    return printed


def print_releases(*, actor, order_ids: Sequence) -> Printed:
    """Release certificates of several released orders as one PDF, a page each, in the order
    asked. An order the actor may not view is refused as unknown."""
    require(actor, ORDER, VIEW, message=_("您无权打印隔离令的文书。"))
    if not order_ids:
        raise ValidationError({"orders": [_("请至少选择一个隔离令。")]})
    if len(order_ids) > MAX_BULK:
        raise ValidationError(
            {"orders": [_("一次最多打印 %(max)d 份，请分批打印。") % {"max": MAX_BULK}]}
        )
    try:
        wanted = list(dict.fromkeys(uuid.UUID(str(raw)) for raw in order_ids))
    except ValueError as exc:
        raise ValidationError({"orders": [_("隔离令编号格式不正确。")]}) from exc
    found = {order.pk: order for order in orders_for(actor).filter(pk__in=wanted)}
    missing = len(wanted) - len(found)
    if missing:
        raise ValidationError(
            {
                "orders": [
                    ngettext(
                        "有 %(count)d 个隔离令不存在或不在您的辖区内。",
                        "有 %(count)d 个隔离令不存在或不在您的辖区内。",
                        missing,
                    )
                    % {"count": missing}
                ]
            }
        )
    orders = [found[pk] for pk in wanted]
    for order in orders:
        require(actor, ORDER, VIEW, order.region_path)
    _released_only(orders, "orders")
    issuers = _issuer_names({order.region_path for order in orders})
    printed = _printed(
        "isolation/documents/release.html",
        [release_page(order, issuers[order.region_path], actor) for order in orders],
        _("解除隔离证明"),
        f"isolation-releases-{timezone.localdate():%Y%m%d}-{len(orders)}.pdf",
    )
    _record(actor, orders, _("批量打印解除隔离证明"))
    return printed
