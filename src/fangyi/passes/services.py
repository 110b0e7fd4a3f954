"""The whitelist of couriers' passes: the only code that changes it. Check permission,
validate, write, audit, as every area's services do; and what a holder's phone shows.

The pass is a signed code of the health-code family (kind `pass`, codes.format) that carries the
holder's colour and last negative test, so that a checkpoint decides offline: it lets its
holder through only while green, with a negative test no older than the plan's window (48 hours
unless the plan in force says otherwise under `passes.test_window_hours`), within the pass's
areas. It lives a few minutes, so a colour change or a new test shows at the next refresh;
suspending or revoking the pass puts the codes still alive on the revocation list.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.codes import services as codes
from fangyi.codes.format import pass_refusal
from fangyi.core import audit
from fangyi.core.models import ObjectChange
from fangyi.core.permissions import ADD, CHANGE, VIEW, can, require
from fangyi.health.models import Fact, FactKind, Policy, TestOutcome
from fangyi.health.services import current_status
from fangyi.people import services as people
from fangyi.people.area import PERSON
from fangyi.people.models import Household, IdType, Person
from fangyi.people.validation import validate_name, validate_resident_id
from fangyi.regions.models import Region

from .area import SUPPLY_PASS
from .models import PassRole, PassState, SupplyPass
from .plates import validate_plate

FIELDS = [
    "person_id",
    "role",
    "organisation",
    "plate",
    "region_id",
    "valid_from",
    "valid_until",
    "state",
    "state_reason",
]
EDITABLE = {"role", "organisation", "plate", "areas", "valid_from", "valid_until"}
MAX_ORGANISATION = 30
MAX_REASON = 200
# What the pass can carry and still fit a QR code a phone camera reads at a gate.
MAX_AREAS = 5
MAX_AREA_NAMES = 60
# A whitelist is for an outbreak, not for ever: a longer one is renewed.
MAX_DAYS = 92
DEFAULT_TEST_HOURS = 48


def test_window_hours() -> int:
    """How old a negative test may be for a pass to hold: the plan in force's
    `passes.test_window_hours`, 48 when the plan says nothing."""
    plan = Policy.objects.filter(in_force=True).values_list("parameters", flat=True).first()
    hours = ((plan or {}).get("passes") or {}).get("test_window_hours", DEFAULT_TEST_HOURS)
    return hours if type(hours) is int and hours > 0 else DEFAULT_TEST_HOURS


def last_negative_test(person: Person, now: datetime.datetime) -> datetime.datetime | None:
    """When the person's last negative test was sampled (not retracted, not in the future)."""
    return (
        Fact.objects.filter(
            person=person,
            kind=FactKind.TEST_RESULT,
            outcome=TestOutcome.NEGATIVE,
            occurred_at__lte=now,
            retractions__isnull=True,
        )
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )


# Validation


def _text(value: str, field: str, limit: int, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写此项。")})
    if len(value) > limit:
        raise ValidationError({field: _("最多 %(max)d 个字。") % {"max": limit}})
    return value


def _check_role(role: str) -> str:
    if role not in PassRole.values:
        raise ValidationError({"role": _("请选择类别。")})
    return role


def _check_plate(plate: str) -> str:
    try:
        return validate_plate(plate)
    except ValidationError as exc:
        raise ValidationError({"plate": exc.messages}) from exc


def _check_dates(valid_from: datetime.date | None, valid_until: datetime.date | None) -> None:
    if valid_from is None:
        raise ValidationError({"valid_from": _("请填写生效日期。")})
    if valid_until is None:
        raise ValidationError({"valid_until": _("请填写截止日期。")})
    if valid_until < valid_from:
        raise ValidationError({"valid_until": _("截止日期不能早于生效日期。")})
    if (valid_until - valid_from).days >= MAX_DAYS:
        raise ValidationError(
            {"valid_until": _("通行证最长 %(days)d 天，到期后可续期。") % {"days": MAX_DAYS}}
        )
    if valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("截止日期已过。")})


def _check_areas(region: Region, areas) -> list[Region]:
    areas = list(dict.fromkeys(areas))
    if not areas:
        raise ValidationError({"areas": _("请至少选择一个通行区域。")})
    if len(areas) > MAX_AREAS:
        raise ValidationError({"areas": _("最多 %(max)d 个通行区域。") % {"max": MAX_AREAS}})
    for area in areas:
        if not area.path.startswith(region.path):
            raise ValidationError({"areas": _("通行区域须在登记区域之内。")})
    if len("、".join(area.name for area in areas)) > MAX_AREA_NAMES:
        raise ValidationError({"areas": _("通行区域的名称合计太长，请选上一级区域。")})
    return areas


def _holder(actor, *, person, name, id_number, household) -> Person:
    """The person named, or the one with this ID number (the name must agree), or a new one
    registered in `household`, as the residents' register would."""
    if person is not None:
        if not can(actor, PERSON, VIEW, person.region_path):
            raise ValidationError({"person": _("没有这个居民，或其不在您的辖区内。")})
        return person
    try:
        name = validate_name(name)
    except ValidationError as exc:
        raise ValidationError({"name": exc.messages}) from exc
    try:
        number = validate_resident_id((id_number or "").strip().upper())
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from exc
    found = (
        Person.objects.restrict(actor, VIEW)
        .filter(id_type=IdType.RESIDENT_ID, id_number=number)
        .first()
    )
    if found is not None:
        if found.name != name:
            raise ValidationError({"name": _("姓名与已登记的证件号码不符。")})
        return found
    if household is None:
        raise ValidationError(
            {"household": _("此人尚未登记为居民：请选择其所属的户，系统将一并登记。")}
        )
    return people.create_person(actor=actor, household=household, name=name, id_number=number)


def _after(supply_pass: SupplyPass, areas: list[Region]) -> dict:
    return audit.snapshot(supply_pass, FIELDS) | {"areas": [area.code for area in areas]}


def create_pass(
    *,
    actor,
    region: Region,
    areas,
    role: str,
    organisation: str,
    valid_from: datetime.date,
    valid_until: datetime.date,
    plate: str = "",
    person: Person | None = None,
    name: str = "",
    id_number: str = "",
    household: Household | None = None,
) -> SupplyPass:
    """Whitelists a courier, driver or volunteer: a person in the actor's scope, or a name and
    ID number (an unregistered one is registered in `household`)."""
    require(actor, SUPPLY_PASS, ADD, region.path, message=_("您无权在该区域登记保供人员。"))
    supply_pass = SupplyPass(
        region=region,
        region_path=region.path,
        role=_check_role(role),
        organisation=_text(organisation, "organisation", MAX_ORGANISATION, required=True),
        plate=_check_plate(plate),
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=actor,
    )
    _check_dates(valid_from, valid_until)
    areas = _check_areas(region, areas)
    with transaction.atomic():
        supply_pass.person = _holder(
            actor, person=person, name=name, id_number=id_number, household=household
        )
        if (
            SupplyPass.objects.filter(person=supply_pass.person)
            .exclude(state=PassState.REVOKED)
            .exists()
        ):
            raise ValidationError({"person": _("此人已有一张未撤销的通行证。")})
        try:
            with transaction.atomic():
                supply_pass.save(force_insert=True)
        except IntegrityError as exc:
            raise ValidationError({"person": _("此人已有一张未撤销的通行证。")}) from exc
        supply_pass.areas.set(areas)
        audit.record_change(
            actor=actor,
            action=ObjectChange.CREATE,
            obj=supply_pass,
            before=None,
            after=_after(supply_pass, areas),
            region_path=supply_pass.region_path,
        )
    return supply_pass


def _require_change(actor, supply_pass: SupplyPass) -> None:
    require(actor, SUPPLY_PASS, CHANGE, supply_pass.region_path, message=_("您无权修改该通行证。"))


def update_pass(*, actor, supply_pass: SupplyPass, changes: dict) -> SupplyPass:
    _require_change(actor, supply_pass)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationError({name: _("不能修改此字段。") for name in unknown})
    if supply_pass.state == PassState.REVOKED:
        raise ValidationError({"state": _("已撤销的通行证不能修改，请重新登记。")})
    old_areas = list(supply_pass.areas.order_by("path"))
    before = _after(supply_pass, old_areas)
    if "role" in changes:
        supply_pass.role = _check_role(changes["role"])
    if "organisation" in changes:
        supply_pass.organisation = _text(
            changes["organisation"], "organisation", MAX_ORGANISATION, required=True
        )
    if "plate" in changes:
        supply_pass.plate = _check_plate(changes["plate"])
    supply_pass.valid_from = changes.get("valid_from", supply_pass.valid_from)
    supply_pass.valid_until = changes.get("valid_until", supply_pass.valid_until)
    _check_dates(supply_pass.valid_from, supply_pass.valid_until)
    areas = old_areas
    if "areas" in changes:
        areas = _check_areas(supply_pass.region, changes["areas"])
    after = _after(supply_pass, areas)
    if after == before:
        return supply_pass
    with transaction.atomic():
        supply_pass.save()
        supply_pass.areas.set(areas)
        # The passes alive say what the entry said: they go, the next one says what it says now.
        codes.revoke_pass_codes(user=actor, person=supply_pass.person)
        audit.record_updated(actor=actor, obj=supply_pass, before=before, after=after)
    return supply_pass


def _change_state(actor, supply_pass: SupplyPass, state: str, reason: str) -> SupplyPass:
    areas = list(supply_pass.areas.order_by("path"))
    before = _after(supply_pass, areas)
    supply_pass.state = state
    supply_pass.state_reason = reason
    with transaction.atomic():
        supply_pass.save(update_fields=["state", "state_reason", "updated_at"])
        if state != PassState.ACTIVE:
            codes.revoke_pass_codes(user=actor, person=supply_pass.person)
        audit.record_updated(
            actor=actor, obj=supply_pass, before=before, after=_after(supply_pass, areas)
        )
    return supply_pass


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请写明理由。")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("最多 %(max)d 个字。") % {"max": MAX_REASON}})
    return reason


def suspend_pass(*, actor, supply_pass: SupplyPass, reason: str) -> SupplyPass:
    """Stops the pass for now (a positive colleague, a complaint); the codes alive are revoked."""
    _require_change(actor, supply_pass)
    reason = _reason(reason)
    if supply_pass.state != PassState.ACTIVE:
        raise ValidationError({"state": _("只有有效的通行证可以暂停。")})
    return _change_state(actor, supply_pass, PassState.SUSPENDED, reason)


def resume_pass(*, actor, supply_pass: SupplyPass) -> SupplyPass:
    _require_change(actor, supply_pass)
    if supply_pass.state != PassState.SUSPENDED:
        raise ValidationError({"state": _("只有暂停的通行证可以恢复。")})
    return _change_state(actor, supply_pass, PassState.ACTIVE, "")


def revoke_pass(*, actor, supply_pass: SupplyPass, reason: str) -> SupplyPass:
    """Ends the pass for good; the codes alive join the revocation list."""
    _require_change(actor, supply_pass)
    reason = _reason(reason)
    if supply_pass.state == PassState.REVOKED:
        raise ValidationError({"state": _("此通行证已撤销。")})
    return _change_state(actor, supply_pass, PassState.REVOKED, reason)


# What the holder sees


@dataclass(frozen=True)
class HolderPass:
    supply_pass: SupplyPass | None
    # Why no code is shown ("" when one is): no pass, suspended, not yet or no longer valid.
    problem: str
    code: codes.PassCode | None = None
    colour: str = ""
    tested_at: datetime.datetime | None = None
    test_hours: int = DEFAULT_TEST_HOURS
    # Why a checkpoint would refuse the code shown ("" when it would let the holder through).
    refusal: str = ""


NO_PASS, SUSPENDED, NOT_YET, ENDED = "no_pass", "suspended", "not_yet", "ended"


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    )


def area_names(areas: list[Region]) -> str:
    return "、".join(area.name for area in areas)


def holder_pass(person: Person) -> HolderPass:
    """The pass the person's phone shows now, freshly signed, or why there is none. The
    caller has established who the person is (the portal's login)."""
    supply_pass = (
        SupplyPass.objects.filter(person=person)
        .exclude(state=PassState.REVOKED)
        .select_related("person")
        .first()
    )
    if supply_pass is None:
        return HolderPass(None, NO_PASS)
    if supply_pass.state == PassState.SUSPENDED:
        return HolderPass(supply_pass, SUSPENDED)
    today = timezone.localdate()
    if today < supply_pass.valid_from:
        return HolderPass(supply_pass, NOT_YET)
    if today > supply_pass.valid_until:
        return HolderPass(supply_pass, ENDED)
    now = timezone.now()
    status = current_status(person)
    tested_at = last_negative_test(person, now)
    hours = test_window_hours()
    areas = list(supply_pass.areas.order_by("path"))
    code = codes.issue_pass_code(
        person=person,
        colour=status.colour,
        policy_version=status.policy_version,
        organisation=supply_pass.organisation,
        plate=supply_pass.plate,
        areas=[area.path for area in areas],
        area_names=area_names(areas),
        last_day=_end_of(supply_pass.valid_until),
        valid_until=supply_pass.valid_until,
        tested_at=tested_at,
        test_hours=hours,
    )
    refusal = pass_refusal(
        {
            "colour": status.colour,
            "tested_at": int(tested_at.timestamp()) if tested_at else 0,
            "test_hours": hours,
            "areas": [],
        },
        now.timestamp(),
    )
    return HolderPass(supply_pass, "", code, status.colour, tested_at, hours, refusal)


def may_change(user, supply_pass: SupplyPass) -> bool:
    return can(user, SUPPLY_PASS, CHANGE, supply_pass.region_path)
