"""Demo supplies: a city-wide catalogue of packages and goods, and a day of requests from the
households of the demo's sealed zone (the active zone drawn on the smallest area, the
building of the latest case; the first grid when no zone is drawn): packages and goods in
every state, medicines for its priority households (dialysis, pregnancy, infants, the
bedridden), a hospital trip, a heating repair, one request past its limit, one made by a
resident on the portal and one from a hotline ticket.

Everything goes through the services as the demo administrator or the resident (audited like
any other work); only the submission times are set back, as a seed cannot wait a day. Made
once: nothing is added while requests exist in the zone.
"""

import dataclasses
import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils import timezone

from fangyi.accounts.models import User
from fangyi.core import permissions
from fangyi.core.paths import under
from fangyi.health.models import Zone
from fangyi.people.models import Household, Person
from fangyi.regions.models import Level
from fangyi.supplies import services
from fangyi.supplies.models import CatalogueItem, ItemKind, Request, RequestEvent, RequestState

from .staff import _first_region

CATALOGUE = [
    (ItemKind.PACKAGE, "蔬菜包", "份", "39.90", 3),
    (ItemKind.PACKAGE, "肉蛋包", "份", "68.00", 2),
    (ItemKind.PACKAGE, "粮油包", "份", "88.00", 2),
    (ItemKind.GOODS, "大米", "袋(5kg)", "32.50", 4),
    (ItemKind.GOODS, "鸡蛋", "盒(30枚)", "26.00", 4),
    (ItemKind.GOODS, "纯牛奶", "箱", "55.00", 3),
    (ItemKind.GOODS, "婴儿纸尿裤", "包", "79.00", 4),
    (ItemKind.GOODS, "方便面", "箱", "36.00", 3),
]
PRIORITY = Q(on_dialysis=True) | Q(is_pregnant=True) | Q(is_infant=True) | Q(is_bedridden=True)
HOUR = datetime.timedelta(hours=1)


@dataclasses.dataclass
class SuppliesSeed:
    catalogue: int
    requests: dict[str, int]
    priority: int
    overdue: int


def sealed_path() -> str:
    """Where the demo's households ask from: the narrowest active zone, else the first grid."""
    zone = (
        Zone.objects.active()
        .annotate(depth=Length("region_path"))
        .order_by("-depth", "-starts_at")
        .first()
    )
    return zone.region_path if zone is not None else _first_region(Level.GRID).path


def seed_supplies(*, now: datetime.datetime | None = None) -> SuppliesSeed:
    """Creates the demo catalogue and requests once. Needs the demo city and administrator."""
    now = now or timezone.now()
    admin = User.objects.get(username=permissions.ADMIN)
    city = _first_region(Level.CITY)
    path = sealed_path()
    with transaction.atomic():
        if not CatalogueItem.objects.filter(region=city).exists():
            for kind, name, unit, price, usual_max in CATALOGUE:
                services.add_item(
                    actor=admin,
                    region=city,
                    kind=kind,
                    name=name,
                    unit=unit,
                    price=Decimal(price),
                    usual_max=usual_max,
                )
        requests = Request.objects.filter(under("region_path", path))
        if not requests.exists():
            _requests(admin, path, now)
    counts = dict.fromkeys(RequestState.values, 0)
    for state in requests.values_list("state", flat=True):
        counts[state] += 1
    return SuppliesSeed(
        catalogue=CatalogueItem.objects.filter(region=city).count(),
        requests=counts,
        priority=requests.filter(priority=True).count(),
        overdue=requests.filter(
            state__in=[s.value for s in services.OPEN_STATES], due_at__lt=timezone.now()
        ).count(),
    )


def _households(path: str) -> tuple[list[Household], list[Household]]:
    """The zone's households with a priority member, and the others."""
    within = Household.objects.filter(under("region_path", path)).order_by("region_path", "id")
    flagged = set(
        Person.objects.filter(under("region_path", path))
        .filter(PRIORITY)
        .values_list("household_id", flat=True)
    )
    priority = [h for h in within if h.pk in flagged]
    others = [h for h in within[:60] if h.pk not in flagged]
    return priority, others


def _age(request: Request, hours: float) -> None:
    """Sets a request back `hours`: its times, its limit and its events."""
    shift = datetime.timedelta(hours=hours)
    Request.objects.filter(pk=request.pk).update(
        submitted_at=F("submitted_at") - shift,
        due_at=F("due_at") - shift,
        state_changed_at=F("state_changed_at") - shift,
        delivered_at=F("delivered_at") - shift,
        left_at=F("left_at") - shift,
    )
    RequestEvent.objects.filter(request_id=request.pk).update(at=F("at") - shift)


def _walk(admin, request: Request, states: list[str], *, delivery=None, reason="") -> None:
    for state in states:
        services.transition(
            actor=admin,
            request=request,
            to_state=state,
            delivery=delivery if state == RequestState.DELIVERED else None,
            reason=reason,
        )


def _requests(admin, path: str, now: datetime.datetime) -> None:
    items = {item.name: item for item in services.catalogue_for(path)}
    priority, others = _households(path)

    def package(household, *names, quantity=1, **kwargs) -> Request:
        draft = services.Draft(
            kind="package",
            items=[services.ItemInput(quantity=quantity, catalogue_item=items[n]) for n in names],
            **kwargs,
        )
        return services.submit(actor=admin, household=household, draft=draft, now=now)

    def medicine(household, drug: str, dose: str, condition: str) -> Request:
        member = Person.objects.filter(household=household).filter(PRIORITY).first()
        draft = services.Draft(
            kind="medicine",
            person=member,
            items=[services.ItemInput(quantity=2, name=drug, unit="盒", dose=dose)],
            chronic_condition=condition,
            urgency="urgent",
        )
        return services.submit(actor=admin, household=household, draft=draft, now=now)

    drugs = [
        ("胰岛素注射液", "每日三次，餐前", "糖尿病"),
        ("碳酸司维拉姆片", "每日三次，随餐", "慢性肾病（透析）"),
        ("硝苯地平控释片", "每日一次", "高血压"),
        ("叶酸片", "每日一次", "妊娠期补充"),
    ]
    for index, household in enumerate(priority[:4]):
        drug, dose, condition = drugs[index]
        made = medicine(household, drug, dose, condition)
        if index == 0:
            # The one past its limit: asked 14 hours ago, still being sourced.
            _walk(admin, made, ["accepted", "sourcing"])
            _age(made, 14)
        elif index == 1:
            _walk(admin, made, ["accepted", "out_for_delivery"])
            _age(made, 3)
    plan = [
        (("蔬菜包",), [], 1),
        (("蔬菜包", "肉蛋包"), ["accepted"], 2),
        (("粮油包",), ["accepted", "sourcing"], 5),
        (("蔬菜包",), ["accepted", "out_for_delivery"], 8),
        (("肉蛋包",), ["accepted", "out_for_delivery", "delivered"], 20),
        (("大米", "鸡蛋"), ["accepted", "sourcing", "out_for_delivery", "delivered"], 22),
    ]
    for household, (names, states, hours) in zip(others, plan, strict=False):
        made = package(household, *names)
        delivery = services.Delivery("door", left_at=now)
        _walk(admin, made, states, delivery=delivery)
        _age(made, hours)
    rest = others[len(plan) :]
    if rest:
        made = package(rest[0], "方便面")
        _walk(admin, made, ["cancelled"], reason="居民已由亲属送来")
    if len(rest) > 1:
        trip = services.submit(
            actor=admin,
            household=rest[1],
            draft=services.Draft(
                kind="hospital_trip", notes="老人复诊，需送至市第一医院", urgency="urgent"
            ),
            now=now,
        )
        _walk(admin, trip, ["accepted"])
    if len(rest) > 2:
        services.submit(
            actor=admin,
            household=rest[2],
            draft=services.Draft(kind="repair", notes="暖气不热，家中有老人"),
            hotline_ticket="12345-0001",
            now=now,
        )
    if len(rest) > 3:
        holder = Person.objects.filter(household=rest[3]).order_by("birth_date").first()
        if holder is not None:
            services.submit_for_resident(
                holder=holder,
                draft=services.Draft(
                    kind="goods",
                    items=[services.ItemInput(quantity=2, catalogue_item=items["纯牛奶"])],
                ),
                now=now,
            )
