"""The only code that writes enterprises, applications, accounts and employments: check
permission, validate, write, record the step as an event and audit it.

An enterprise account (role `enterprise`) is assigned at its enterprise's region, but all it
may do is narrowed here to the enterprises it is a member of: `enterprises_for` and `may`.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as NumberError

from fangyi.accounts import services as accounts
from fangyi.core import audit
from fangyi.core.masking import mask_name
from fangyi.core.models import AccessEvent, ObjectChange
from fangyi.core.paths import under
from fangyi.core.permissions import (
    ADD,
    CHANGE,
    EVERYWHERE,
    MATRIX,
    VIEW,
    assignments_of,
    require,
    scope_paths,
)
from fangyi.people.models import IdType, Person
from fangyi.people.validation import validate_mobile, validate_name, validate_resident_id
from fangyi.regions.models import Region

from . import standing as health_view
from .area import ACCOUNT, EMPLOYEE, ENTERPRISE
from .models import (
    Application,
    Commitment,
    Employment,
    Enterprise,
    Event,
    Membership,
    Standing,
)

FIELDS = [
    "name",
    "credit_code",
    "region_id",
    "address",
    "contact_name",
    "contact_phone",
    "standing",
    "staff_count",
    "self_registered",
]
APPLICATION_FIELDS = ["enterprise_id", "commitments", "staff_count", "state", "reason"]
EMPLOYMENT_FIELDS = ["enterprise_id", "person_id", "state"]
MAX_NAME = 100
MAX_ADDRESS = 200
MAX_REASON = 200
MAX_STAFF = 1_000_000


# Who may act on which enterprise


def _paths(user, resource: str, action: str, *, account: bool) -> list[str]:
    return [
        path
        for role, path in assignments_of(user)
        if (role == ACCOUNT) == account and action in MATRIX.get(role, {}).get(resource, ())
    ]


def _under_any(field: str, paths: list[str]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= under(field, path)
    return condition


def _member_of(user) -> QuerySet:
    return Membership.objects.filter(user=user).values("enterprise_id")


def enterprises_for(user, resource: str = ENTERPRISE, action: str = VIEW) -> QuerySet:
    """Enterprises `user` may act on: by region, and an account's only its own."""
    enterprises = Enterprise.objects.select_related("region")
    if scope_paths(user, resource, action) is EVERYWHERE:
        return enterprises
    wide = _under_any("region_path", _paths(user, resource, action, account=False))
    own = _paths(user, resource, action, account=True)
    if own:
        wide |= Q(pk__in=_member_of(user)) & _under_any("region_path", own)
    return enterprises.filter(wide)


def may(user, enterprise: Enterprise, resource: str, action: str) -> bool:
    return enterprises_for(user, resource, action).filter(pk=enterprise.pk).exists()


def _require(user, enterprise: Enterprise, resource: str, action: str, message: str) -> None:
    if not may(user, enterprise, resource, action):
        raise PermissionDenied(message)


def may_decide(user, enterprise: Enterprise) -> bool:
    """Confirming a registration and deciding an application are officers' work, never an
    account's, even of its own enterprise."""
    paths = _paths(user, ENTERPRISE, ADD, account=False)
    if scope_paths(user, ENTERPRISE, ADD) is EVERYWHERE:
        return True
    return any(enterprise.region_path.startswith(path) for path in paths)


def _event(enterprise: Enterprise, kind: str, actor, note: str = "") -> Event:
    who = audit.actor_fields(actor)
    return Event.objects.create(
        enterprise=enterprise,
        kind=kind,
        note=note,
        actor=who["actor"],
        actor_name=who["actor_name"],
    )


# Validation


def check_credit_code(code: str) -> str:
    """A unified social credit code (统一社会信用代码): 18 characters with its check character."""
    code = (code or "").strip().upper()
    try:
        return uscc.validate(code)
    except NumberError as exc:
        raise ValidationError(
            {"credit_code": _("统一社会信用代码无效：应为 18 位，且校验位正确。")}
        ) from exc


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写此项。")})
    if len(value) > limit:
        raise ValidationError({field: _("最多 %(max)d 个字。") % {"max": limit}})
    if "\x00" in value:
        raise ValidationError({field: _("含有无效字符。")})
    return value


def _details(*, name, credit_code, address, contact_name, contact_phone) -> dict:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    checks = {
        "name": lambda: _text(name, "name", MAX_NAME),
        "credit_code": lambda: check_credit_code(credit_code),
        "address": lambda: _text(address, "address", MAX_ADDRESS, required=False),
        "contact_name": lambda: validate_name(contact_name),
        "contact_phone": lambda: validate_mobile(contact_phone),
    }
    for field, check in checks.items():
        try:
            cleaned[field] = check()
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _save_new(enterprise: Enterprise, actor) -> Enterprise:
    if Enterprise.objects.filter(credit_code=enterprise.credit_code).exists():
        raise ValidationError({"credit_code": _("该统一社会信用代码已登记。")})
    try:
        with transaction.atomic():
            enterprise.save(force_insert=True)
    except IntegrityError as exc:
        raise ValidationError({"credit_code": _("该统一社会信用代码已登记。")}) from exc
    audit.record_created(actor=actor, obj=enterprise, fields=FIELDS)
    _event(enterprise, Event.Kind.REGISTERED, actor)
    return enterprise


# The register


def register_enterprise(
    *,
    actor,
    region: Region,
    name: str,
    credit_code: str,
    contact_name: str,
    contact_phone: str,
    address: str = "",
) -> Enterprise:
    """An officer registers an enterprise of their region; it stands registered at once."""
    require(actor, ENTERPRISE, ADD, region.path, message=_("您无权在该区域登记企业。"))
    cleaned = _details(
        name=name,
        credit_code=credit_code,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    enterprise = Enterprise(region=region, region_path=region.path, **cleaned)
    with transaction.atomic():
        return _save_new(enterprise, actor)


def self_register(
    *,
    region: Region,
    name: str,
    credit_code: str,
    contact_name: str,
    contact_phone: str,
    address: str = "",
) -> Enterprise:
    """An enterprise registers itself on the public form; an officer confirms it before it
    may apply to reopen."""
    cleaned = _details(
        name=name,
        credit_code=credit_code,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    enterprise = Enterprise(
        region=region,
        region_path=region.path,
        standing=Standing.UNCONFIRMED,
        self_registered=True,
        **cleaned,
    )
    with transaction.atomic():
        return _save_new(enterprise, None)


def _change_standing(actor, enterprise: Enterprise, standing: str, **changes) -> None:
    before = audit.snapshot(enterprise, FIELDS)
    enterprise.standing = standing
    for name, value in changes.items():
        setattr(enterprise, name, value)
    enterprise.save(update_fields=["standing", "updated_at", *changes])
    audit.record_updated(
        actor=actor, obj=enterprise, before=before, after=audit.snapshot(enterprise, FIELDS)
    )


def _locked(enterprise: Enterprise) -> Enterprise:
    return Enterprise.objects.select_for_update().select_related("region").get(pk=enterprise.pk)


def confirm_registration(*, actor, enterprise: Enterprise) -> Enterprise:
    if not may_decide(actor, enterprise):
        raise PermissionDenied(_("您无权确认该企业的登记。"))
    with transaction.atomic():
        enterprise = _locked(enterprise)
        if enterprise.standing != Standing.UNCONFIRMED:
            raise ValidationError({"standing": _("该企业的登记已确认。")})
        _change_standing(actor, enterprise, Standing.REGISTERED)
        _event(enterprise, Event.Kind.CONFIRMED, actor)
    return enterprise


def open_account(
    *, actor, enterprise: Enterprise, username: str, password: str, full_name: str = ""
):
    """A staff login with the `enterprise` role at the enterprise's region, a member of it."""
    if not may_decide(actor, enterprise):
        raise PermissionDenied(_("您无权为该企业开通账号。"))
    if enterprise.standing == Standing.UNCONFIRMED:
        raise ValidationError({"standing": _("请先确认该企业的登记。")})
    with transaction.atomic():
        # The officer's own check is `may_decide` above. The role's rights (its employees, the
        # gate's scans) are not an officer's, so `grantable_roles` would refuse it to them;
        # the account is narrowed to this one enterprise, which the officer does hold.
        user = accounts.create_staff(
            actor=None,
            username=username,
            password=password,
            role=ACCOUNT,
            region=enterprise.region,
            full_name=full_name,
        )
        membership = Membership.objects.create(user=user, enterprise=enterprise)
        audit.record_change(
            actor=actor,
            action=ObjectChange.CREATE,
            obj=membership,
            before=None,
            after={"user": str(user.pk), "enterprise": str(enterprise.pk)},
            region_path=enterprise.region_path,
        )
        _event(enterprise, Event.Kind.ACCOUNT, actor, user.get_username())
    return user


# Reopening


def active_commitments() -> list[Commitment]:
    return list(Commitment.objects.filter(active=True))


def apply_to_reopen(
    *, actor, enterprise: Enterprise, commitments: list[str], staff_count: int
) -> Application:
    """Applies with every commitment in force ticked and the number of staff; a returned
    application is followed by a new one."""
    _require(actor, enterprise, ENTERPRISE, CHANGE, _("您无权为该企业申请复工。"))
    required = {c.code for c in active_commitments()}
    ticked = set(commitments or [])
    errors: dict[str, list[str]] = {}
    if ticked - required:
        errors["commitments"] = [_("含有未知的承诺事项。")]
    elif required - ticked:
        errors["commitments"] = [_("须逐项承诺全部防控措施。")]
    if type(staff_count) is not int or not 1 <= staff_count <= MAX_STAFF:
        errors["staff_count"] = [_("职工人数须在 1 到 %(max)d 之间。") % {"max": MAX_STAFF}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        enterprise = _locked(enterprise)
        if enterprise.standing == Standing.UNCONFIRMED:
            raise ValidationError({"standing": _("企业登记尚待街道/社区确认，暂不能申请。")})
        if enterprise.standing == Standing.APPLIED:
            raise ValidationError({"standing": _("已有一份申请待审批。")})
        if enterprise.standing == Standing.REOPENED:
            raise ValidationError({"standing": _("该企业已获准复工。")})
        application = Application.objects.create(
            enterprise=enterprise,
            region_path=enterprise.region_path,
            commitments=sorted(ticked),
            staff_count=staff_count,
            submitted_by=actor,
        )
        audit.record_created(actor=actor, obj=application, fields=APPLICATION_FIELDS)
        _change_standing(actor, enterprise, Standing.APPLIED, staff_count=staff_count)
        _event(enterprise, Event.Kind.APPLIED, actor)
    return application


def _decide(actor, application: Application, state: str, reason: str) -> Application:
    enterprise = application.enterprise
    if not may_decide(actor, enterprise):
        raise PermissionDenied(_("您无权审批该企业的复工申请。"))
    with transaction.atomic():
        enterprise = _locked(enterprise)
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.state != Application.State.PENDING:
            raise ValidationError({"state": _("该申请已审批。")})
        before = audit.snapshot(application, APPLICATION_FIELDS)
        application.state = state
        application.reason = reason
        application.decided_by = actor
        application.decided_at = timezone.now()
        application.save(update_fields=["state", "reason", "decided_by", "decided_at"])
        audit.record_updated(
            actor=actor,
            obj=application,
            before=before,
            after=audit.snapshot(application, APPLICATION_FIELDS),
        )
        approved = state == Application.State.APPROVED
        _change_standing(actor, enterprise, Standing.REOPENED if approved else Standing.RETURNED)
        _event(enterprise, Event.Kind.APPROVED if approved else Event.Kind.RETURNED, actor, reason)
    application.enterprise = enterprise
    return application


def approve(*, actor, application: Application) -> Application:
    return _decide(actor, application, Application.State.APPROVED, "")


def return_application(*, actor, application: Application, reason: str) -> Application:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请写明退回理由。")})
    if len(reason) > MAX_REASON or "\x00" in reason:
        raise ValidationError({"reason": _("最多 %(max)d 个字。") % {"max": MAX_REASON}})
    return _decide(actor, application, Application.State.RETURNED, reason)


# Employees


def link_employee(*, actor, enterprise: Enterprise, id_number: str, name: str) -> Employment:
    """Links a resident by ID number and name; they confirm on the resident portal. A number
    that names nobody and a name that does not match answer alike, so that the form cannot
    tell an enterprise who is registered."""
    _require(actor, enterprise, EMPLOYEE, ADD, _("您无权为该企业关联员工。"))
    try:
        number = validate_resident_id((id_number or "").strip().upper())
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from exc
    try:
        name = validate_name(name)
    except ValidationError as exc:
        raise ValidationError({"name": exc.messages}) from exc
    person = Person.objects.filter(id_type=IdType.RESIDENT_ID, id_number=number).first()
    if person is None or person.name != name:
        raise ValidationError({"id_number": _("未找到与该姓名和身份证号相符的登记居民。")})
    live = (Employment.State.PENDING, Employment.State.CONFIRMED)
    if Employment.objects.filter(enterprise=enterprise, person=person, state__in=live).exists():
        raise ValidationError({"id_number": _("此人已关联到本企业。")})
    employment = Employment(
        enterprise=enterprise,
        person=person,
        region_path=enterprise.region_path,
        linked_by=actor,
    )
    try:
        with transaction.atomic():
            employment.save(force_insert=True)
            audit.record_created(actor=actor, obj=employment, fields=EMPLOYMENT_FIELDS)
    except IntegrityError as exc:
        raise ValidationError({"id_number": _("此人已关联到本企业。")}) from exc
    return employment


def end_employment(*, actor, employment: Employment) -> Employment:
    _require(actor, employment.enterprise, EMPLOYEE, CHANGE, _("您无权解除该员工的关联。"))
    if employment.state == Employment.State.ENDED:
        raise ValidationError({"state": _("该关联已解除。")})
    return _set_state(actor, employment, Employment.State.ENDED)


def _set_state(actor, employment: Employment, state: str) -> Employment:
    with transaction.atomic():
        before = audit.snapshot(employment, EMPLOYMENT_FIELDS)
        employment.state = state
        employment.answered_at = employment.answered_at or timezone.now()
        employment.save(update_fields=["state", "answered_at"])
        audit.record_updated(
            actor=actor,
            obj=employment,
            before=before,
            after=audit.snapshot(employment, EMPLOYMENT_FIELDS),
        )
    return employment


def links_of(person: Person) -> QuerySet:
    """The resident's links waiting for an answer or confirmed, for the portal."""
    return (
        Employment.objects.filter(
            person=person, state__in=[Employment.State.PENDING, Employment.State.CONFIRMED]
        )
        .select_related("enterprise")
        .order_by("-linked_at", "id")
    )


def answer_link(*, person: Person, employment_id: uuid.UUID, accept: bool) -> Employment:
    """The employee confirms or declines a link on the portal; only their own pending link."""
    employment = (
        Employment.objects.filter(pk=employment_id, person=person)
        .select_related("enterprise")
        .first()
    )
    if employment is None:
        raise ValidationError({"employment": _("没有这条关联。")})
    if employment.state != Employment.State.PENDING:
        raise ValidationError({"state": _("这条关联已处理。")})
    state = Employment.State.CONFIRMED if accept else Employment.State.DECLINED
    return _set_state(None, employment, state)


# What the enterprise sees of its employees


@dataclass(frozen=True)
class EmployeeRow:
    """Everything an enterprise may know of an employee: nothing more is ever sent."""

    id: uuid.UUID
    masked_name: str
    state: str
    colour: str
    # The kind's name (封控区), never the zone's own name: that would say where they live.
    zone_kind: str
    last_negative_test: datetime.date | None


SEEN_FIELDS = ["colour", "zone_kind", "last_negative_test"]


def employees_for(user, enterprise: Enterprise, action: str = VIEW) -> QuerySet:
    if not may(user, enterprise, EMPLOYEE, action):
        return Employment.objects.none()
    return Employment.objects.filter(enterprise=enterprise).exclude(
        state__in=[Employment.State.ENDED, Employment.State.DECLINED]
    )


def look(*, actor, enterprise: Enterprise, employments: list[Employment]) -> list[EmployeeRow]:
    """The rows of a page of employees, each look logged as an AccessEvent. Only confirmed
    employees show their colour, zone and test; a pending link shows nothing yet."""
    _require(actor, enterprise, EMPLOYEE, VIEW, _("您无权查看该企业的员工。"))
    confirmed = [e.person_id for e in employments if e.state == Employment.State.CONFIRMED]
    seen = health_view.of_persons(confirmed, timezone.now())
    names = dict(
        Person.objects.filter(pk__in=[e.person_id for e in employments]).values_list("pk", "name")
    )
    rows = []
    events = []
    who = audit.actor_fields(actor)
    for employment in employments:
        state = seen.get(employment.person_id)
        rows.append(
            EmployeeRow(
                id=employment.pk,
                masked_name=mask_name(names.get(employment.person_id, "")),
                state=employment.state,
                colour=state.colour if state else "",
                zone_kind=state.zone_kind if state else "",
                last_negative_test=state.last_negative_test if state else None,
            )
        )
        if state is not None:
            events.append(
                AccessEvent(
                    kind=AccessEvent.LOOKUP,
                    object_type=Employment._meta.label_lower,
                    object_id=str(employment.pk),
                    object_repr=f"{enterprise.name} {mask_name(names.get(employment.person_id, ''))}"[
                        :200
                    ],
                    region_path=employment.region_path,
                    fields=SEEN_FIELDS,
                    reason=_("企业查看员工防疫状态"),
                    **who,
                )
            )
    AccessEvent.objects.bulk_create(events)
    return rows
