"""Open311 partners' keys, and a request filed through Open311 becoming a ticket.

A key is issued to a partner (a city app, a chat-group robot) for a region: it is shown once
and only its SHA-256 is kept, as the staff API's tokens are. A request filed with it is taken
in as a ticket with channel Open311 in that region (or in the community named by
`address_id`, when it lies within), due by its category's limit on the working-time clock,
and goes to the unit the routing rules give, as an operator's intake sends it; with no rule
that applies it waits in the dispatchers' queue.
"""

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.context import acting, current
from fangyi.core.models import ObjectChange
from fangyi.core.permissions import ADD, require
from fangyi.people.validation import normalise_phone
from fangyi.regions.models import Region, looks_like_code

from .. import services as hotline
from ..area import HOTLINE_SETUP
from ..models import Category, Open311Key, Ticket

KEY_BYTES = 24
PREFIX_LENGTH = 8
MAX_PARTNER = 100
MAX_DESCRIPTION = 4000
MAX_ADDRESS = 200
MAX_NAME = 50
MAX_PHONE = 20


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_key(*, actor, partner: str, region: Region) -> tuple[Open311Key, str]:
    """A new key for `partner` in `region`: (the stored key, the key itself, shown once)."""
    require(actor, HOTLINE_SETUP, ADD, region.path, message=_("您无权为该区域发放接口密钥。"))
    partner = (partner or "").strip()
    if not partner or len(partner) > MAX_PARTNER:
        raise ValidationError({"partner": _("请填写合作方名称（最多 100 字）。")})
    raw = secrets.token_urlsafe(KEY_BYTES)
    with transaction.atomic():
        key = Open311Key.objects.create(
            partner=partner,
            digest=digest_of(raw),
            prefix=raw[:PREFIX_LENGTH],
            region=region,
            region_path=region.path,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record_created(actor=actor, obj=key, fields=["partner", "prefix", "region_id"])
    return key, raw


def revoke_key(*, actor, key: Open311Key) -> Open311Key:
    require(actor, HOTLINE_SETUP, ADD, key.region_path, message=_("您无权停用该接口密钥。"))
    with transaction.atomic():
        Open311Key.objects.filter(pk=key.pk).update(active=False)
        audit.record_change(
            actor=actor,
            action=ObjectChange.UPDATE,
            obj=key,
            before={"active": key.active},
            after={"active": False},
            region_path=key.region_path,
        )
    key.active = False
    return key


def key_for(raw: str) -> Open311Key | None:
    """The active key whose digest this is; None for anything else."""
    if not raw or len(raw) > 200:
        return None
    return (
        Open311Key.objects.filter(digest=digest_of(raw), active=True)
        .select_related("region")
        .first()
    )


def _text(value: str | None, field: str, limit: int) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise ValidationError({field: _("包含无效字符。")})
    if len(text) > limit:
        raise ValidationError({field: _("最多 %(n)d 个字。") % {"n": limit}})
    return text


def _place(key: Open311Key, address_id: str) -> Region:
    if not address_id:
        return key.region
    region = None
    if looks_like_code(address_id):
        region = Region.objects.filter(code=address_id, path__startswith=key.region_path).first()
    if region is None:
        raise ValidationError({"address_id": _("没有这个地址编码，或其不在该密钥的区域内。")})
    return region


def submit_request(
    *,
    key: Open311Key,
    service_code: str,
    description: str,
    address_id: str = "",
    address_string: str = "",
    lat: str = "",
    long: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    now: datetime.datetime | None = None,
) -> Ticket:
    """Takes a request in as a new ticket with channel Open311."""
    category = Category.objects.filter(
        code=(service_code or "")[:40], active=True, confidential=False
    ).first()
    if category is None:
        raise ValidationError({"service_code": _("没有这个服务代码。")})
    description = _text(description, "description", MAX_DESCRIPTION)
    if not description:
        raise ValidationError({"description": _("请填写诉求内容。")})
    address = _text(address_string, "address_string", MAX_ADDRESS)
    if not (address_id or address or (lat and long)):
        raise ValidationError(
            {"address_string": _("请提供 address_id、address_string 或 lat 和 long 之一。")}
        )
    if not address and lat and long:
        try:
            address = f"{float(lat):.6f},{float(long):.6f}"
        except ValueError as exc:
            raise ValidationError({"lat": _("经纬度应为数字。")}) from exc
    region = _place(key, _text(address_id, "address_id", 18))
    caller_name = _text(f"{last_name or ''}{first_name or ''}", "first_name", MAX_NAME)
    caller_phone = normalise_phone(_text(phone, "phone", 30)) if phone else ""
    if caller_phone and not (caller_phone.isdigit() and len(caller_phone) <= MAX_PHONE):
        raise ValidationError({"phone": _("电话号码格式不正确。")})
    outer = current()
    # No staff actor: the audit rows say the partner filed it.
    with acting(via="open311", ip=outer.ip, request_id=outer.request_id):
        ticket = hotline.intake_for_partner(
            category=category,
            description=description,
            region=region,
            address=address,
            caller=hotline.CallerInput(name=caller_name, phone=caller_phone),
            received_at=now,
        )
    Open311Key.objects.filter(pk=key.pk).update(last_used_at=ticket.received_at)
    return ticket
