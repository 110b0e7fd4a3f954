"""Tickets for the Open311 and problem-list tests: filed through Open311's service, or as if
taken in on the phone, written directly with the fields the core's intake sets, so that a
test can give a ticket any state, unit and limit at a fixed time."""

import datetime
import itertools

from django.utils import timezone

from fangyi.hotline.clock import BEIJING
from fangyi.hotline.models import Category, Channel, HandlingUnit, State, Ticket
from fangyi.hotline.open311 import services

# A Wednesday, 10:00 Beijing: a working day, far from midnight.
NOON = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=BEIJING)
_numbers = itertools.count(1)


def partner_key(region, admin) -> str:
    _key, raw = services.issue_key(actor=admin, partner="城市服务 App", region=region)
    return raw


def phone_ticket(
    region,
    *,
    category: str = "food",
    received: datetime.datetime = NOON,
    state: str = State.NEW,
    unit: HandlingUnit | None = None,
    caller_name: str = "王小明",
    caller_phone: str = "13800000001",
    description: str = "王小明 13800000001 家里没有米了",
    due: datetime.timedelta = datetime.timedelta(days=3),
) -> Ticket:
    chosen = Category.objects.get(code=category)
    return Ticket.objects.create(
        number=f"12345-{received.astimezone(BEIJING):%Y%m%d}-9{next(_numbers):05d}",
        channel=Channel.PHONE,
        caller_name=caller_name,
        caller_phone=caller_phone,
        region=region,
        region_path=region.path,
        address="1号楼 101 室",
        category=chosen,
        confidential=chosen.confidential,
        description=description,
        state=state,
        unit=unit,
        received_at=received,
        warn_at=received + due * 0.8,
        due_at=received + due,
    )


def unit_of(region, *, code: str = "gulou-health", members=()) -> HandlingUnit:
    unit = HandlingUnit.objects.create(
        code=code,
        name=f"{region.name}卫健局",
        kind="department",
        region=region,
        region_path=region.path,
    )
    unit.members.set(members)
    return unit


def now_is(moment: datetime.datetime, monkeypatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)
