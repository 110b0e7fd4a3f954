"""The only place that writes investigations, their teams, places and contacts.

Who may do what: INVESTIGATION add/change in the case's region opens, edits and records the
clocks of an investigation; CONTACT add/change there records and settles its contacts. A
contact's fact (close_contact / secondary_contact) is written through the health services
with the caller as actor, so the caller also needs the right to record facts where the
contact lives; the colour follows by the existing rules, and the isolation area proposes the
order from that fact by itself.
"""

import datetime
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.accounts.models import User
from fangyi.checkpoints import services as checkpoints
from fangyi.checkpoints.models import CheckIn, Scan, Venue
from fangyi.core import audit
from fangyi.core.models import ObjectChange
from fangyi.core.permissions import ADD, CHANGE, VIEW, can, require
from fangyi.fieldwork import services as fieldwork
from fangyi.fieldwork.models import Task, TaskKind
from fangyi.health import services as health
from fangyi.health.area import FACT
from fangyi.health.models import Fact, FactKind, TestOutcome
from fangyi.people.models import Person
from fangyi.regions.models import Region

from .area import CONTACT, INVESTIGATION
from .models import (
    Contact,
    ContactCategory,
    ContactState,
    Investigation,
    InvestigationState,
    Place,
    PlaceSource,
    TeamMember,
    TeamRole,
)

SOURCE = "investigation"
INVESTIGATION_FIELDS = ["person", "case_fact", "found_at", "state", "source_contact", "generation"]
CONTACT_FIELDS = [
    "investigation",
    "person",
    "region",
    "category",
    "exposure_at",
    "place",
    "place_text",
    "state",
]
PLACE_FIELDS = ["investigation", "venue", "description", "start", "end", "source"]
MAX_TEXT = 2000
MAX_NOTES = 20_000
MAX_TEAM = 20
MAX_DAYS = 21
DEFAULT_DAYS = 14
DEFAULT_WINDOW_MINUTES = 30
PHONE = re.compile(r"1[3-9]\d{9}")
CASE_KINDS = (FactKind.CASE_CONFIRMED, FactKind.TEST_RESULT)
CONTACT_FACT = {
    ContactCategory.CLOSE: FactKind.CLOSE_CONTACT,
    ContactCategory.SECONDARY: FactKind.SECONDARY_CONTACT,
}


def _require(actor, resource: str, action: str, path: str) -> None:
    require(actor, resource, action, path, message=_("您没有在该辖区办理流调的权限。"))


def _aware(value, name: str, errors: dict) -> None:
    if value is None or timezone.is_naive(value):
        errors.setdefault(name, []).append(_("请填写带时区的时间。"))


def _not_future(value, name: str, errors: dict, now) -> None:
    if value is not None and not timezone.is_naive(value) and value > now + health.CLOCK_SKEW:
        errors.setdefault(name, []).append(_("时间不能晚于现在。"))


# Opening


def case_fact(person: Person) -> Fact | None:
    """The first fact that makes the person a case (confirmed, or a positive test), unretracted."""
    return (
        Fact.objects.filter(person=person)
        .filter(
            Q(kind=FactKind.CASE_CONFIRMED)
            | Q(kind=FactKind.TEST_RESULT, outcome=TestOutcome.POSITIVE)
        )
        .filter(retractions__isnull=True)
        .order_by("occurred_at", "recorded_at")
        .first()
    )


def _source_contact(person: Person) -> Contact | None:
    """The contact record the new case was known by, the edge to their chain: the earliest
    confirmed one (a proposal from the check-ins is no edge until someone confirms it)."""
    return (
        Contact.objects.filter(person=person, state=ContactState.LINKED)
        .select_related("investigation")
        .order_by("created_at", "id")
        .first()
    )


def open_investigation(
    *, actor, person: Person, authorised: bool = False
) -> tuple[Investigation, bool]:
    """The case's investigation, opened if it is not yet: (investigation, created).

    Only a confirmed or positive person is a case. One who was recorded as someone's contact
    joins that case's chain, one generation further. `authorised`: the periodic job opening
    the investigations of contacts who turned positive, which no one in particular runs.
    """
    if not authorised:
        _require(actor, INVESTIGATION, ADD, person.region_path)
    existing = Investigation.objects.filter(person=person).first()
    if existing is not None:
        return existing, False
    fact = case_fact(person)
    if fact is None:
        raise ValidationError({"person": _("该居民没有确诊或阳性记录，不能立案流调。")})
    source = _source_contact(person)
    investigation = Investigation(
        id=uuid.uuid4(),
        person=person,
        region_path=person.region_path,
        case_fact=fact,
        occurred_at=fact.occurred_at,
        found_at=max(fact.recorded_at, fact.occurred_at),
        opened_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if source is not None:
        parent = source.investigation
        investigation.source_contact = source
        investigation.chain_root_id = parent.chain_root_id or parent.pk
        investigation.generation = parent.generation + 1
    else:
        investigation.chain_root_id = investigation.pk
    try:
        with transaction.atomic():
            investigation.save(force_insert=True)
            audit.record_created(actor=actor, obj=investigation, fields=INVESTIGATION_FIELDS)
    except IntegrityError:
        # Someone else opened it a moment ago: opening is idempotent per case.
        return Investigation.objects.get(person=person), False
    return investigation, True


def open_for_positive_contacts(*, limit: int = 1000) -> int:
    """Opens the investigation of every recorded contact who has since become a case and has
    none yet, each in their chain one generation further; answers how many were opened.

    The periodic job's work (tasks.py): a contact's positive result arrives from the lab or
    the portal, not from here, and their investigation must not wait for someone to notice.
    """
    positive = Fact.objects.filter(
        Q(kind=FactKind.CASE_CONFIRMED)
        | Q(kind=FactKind.TEST_RESULT, outcome=TestOutcome.POSITIVE),
        retractions__isnull=True,
    ).values("person_id")
    waiting = (
        Person.objects.filter(
            pk__in=Contact.objects.filter(state=ContactState.LINKED).values("person_id"),
            investigation__isnull=True,
        )
        .filter(pk__in=positive)
        .order_by("region_path", "id")[:limit]
    )
    opened = 0
    for person in waiting:
        _investigation, created = open_investigation(actor=None, person=person, authorised=True)
        opened += created
    return opened


def update(*, actor, investigation: Investigation, notes=None, state=None) -> Investigation:
    """Notes, and closing (or reopening) the investigation."""
    _require(actor, INVESTIGATION, CHANGE, investigation.region_path)
    changes: dict[str, object] = {}
    if notes is not None:
        notes = notes.strip()
        if len(notes) > MAX_NOTES:
            raise ValidationError({"notes": _("流调记录最多 %(max)d 个字。") % {"max": MAX_NOTES}})
        changes["notes"] = notes
    if state is not None:
        if state not in InvestigationState.values:
            raise ValidationError({"state": _("请选择状态。")})
        changes["state"] = state
        changes["closed_at"] = timezone.now() if state == InvestigationState.CLOSED else None
    return _change(actor, investigation, changes)


def _change(actor, investigation: Investigation, changes: dict) -> Investigation:
    names = [name for name in changes if getattr(investigation, name) != changes[name]]
    if not names:
        return investigation
    before = audit.snapshot(investigation, names)
    for name in names:
        setattr(investigation, name, changes[name])
    with transaction.atomic():
        investigation.save(update_fields=names)
        audit.record_updated(
            actor=actor,
            obj=investigation,
            before=before,
            after=audit.snapshot(investigation, names),
        )
    return investigation


def set_team(*, actor, investigation: Investigation, members: list[tuple[User | None, str]]):
    """Replaces the team: (user, role) pairs, staff who may see investigations there."""
    _require(actor, INVESTIGATION, CHANGE, investigation.region_path)
    errors: dict[str, list[str]] = {}
    if len(members) > MAX_TEAM:
        errors["members"] = [_("流调队员最多 %(max)d 人。") % {"max": MAX_TEAM}]
    seen = set()
    for index, (user, role) in enumerate(members):
        if role not in TeamRole.values:
            errors.setdefault(f"members.{index}.role", []).append(_("请选择分工。"))
        if (
            user is None
            or not user.is_active
            or not can(user, INVESTIGATION, VIEW, investigation.region_path)
        ):
            errors.setdefault(f"members.{index}.user", []).append(
                _("该人员不能参加此流调：须是能查看该辖区流调的工作人员。")
            )
        elif user.pk in seen:
            errors.setdefault(f"members.{index}.user", []).append(_("同一人员只能列一次。"))
        else:
            seen.add(user.pk)
    if errors:
        raise ValidationError(errors)
    before = {"team": _team_snapshot(investigation)}
    with transaction.atomic():
        investigation.team.all().delete()
        TeamMember.objects.bulk_create(
            [
                TeamMember(investigation=investigation, user=user, role=role)
                for user, role in members
            ]
        )
        audit.record_updated(
            actor=actor,
            obj=investigation,
            before=before,
            after={"team": _team_snapshot(investigation)},
        )
    return investigation


def _team_snapshot(investigation: Investigation) -> list[list[str]]:
    return [
        [str(user_id), role]
        for user_id, role in investigation.team.order_by("role", "user_id").values_list(
            "user_id", "role"
        )
    ]


# The four clocks


CLOCK_STAGES = ("result", "report", "transfer", "consultation")
CLOCK_LABELS = {
    "result": gettext_lazy("阳性结果"),
    "report": gettext_lazy("报告确认"),
    "transfer": gettext_lazy("转运到达"),
    "consultation": gettext_lazy("专家会诊"),
}
DEFAULT_CLOCK_MINUTES = {stage: 60 for stage in CLOCK_STAGES}
# The stages an investigator records on the investigation; transfer arrives from the transfer
# work through record_transfer_arrived.
RECORDED_STAGES = {"report": "report_confirmed_at", "consultation": "consultation_at"}


def clock_limits() -> dict[str, datetime.timedelta]:
    """Minutes allowed per stage: FANGYI_CASE_CLOCK_MINUTES overrides the 1-hour defaults."""
    minutes = DEFAULT_CLOCK_MINUTES | getattr(settings, "FANGYI_CASE_CLOCK_MINUTES", {})
    return {stage: datetime.timedelta(minutes=minutes[stage]) for stage in CLOCK_STAGES}


@dataclass(frozen=True)
class Clock:
    stage: str
    label: str
    started_at: datetime.datetime | None
    done_at: datetime.datetime | None
    limit: datetime.timedelta
    # waiting (its start is not recorded yet), running, late (running past its limit),
    # done, done_late
    state: str
    minutes: int | None

    @property
    def red(self) -> bool:
        return self.state in ("late", "done_late")


def clocks(investigation: Investigation, now: datetime.datetime | None = None) -> list[Clock]:
    """Swab → positive result → report confirmed → transfer arrived → expert consultation:
    each stage runs from the previous one's time and turns red past its limit."""
    now = now or timezone.now()
    limits = clock_limits()
    points = [
        investigation.occurred_at,
        investigation.found_at,
        investigation.report_confirmed_at,
        investigation.transfer_arrived_at,
        investigation.consultation_at,
    ]
    result = []
    for index, stage in enumerate(CLOCK_STAGES):
        start, done = points[index], points[index + 1]
        if start is None:
            state, minutes = "waiting", None
        else:
            end = done or now
            elapsed = end - start
            minutes = max(0, int(elapsed.total_seconds() // 60))
            if done is None:
                state = "late" if elapsed > limits[stage] else "running"
            else:
                state = "done_late" if elapsed > limits[stage] else "done"
        result.append(
            Clock(
                stage=stage,
                label=str(CLOCK_LABELS[stage]),
                started_at=start,
                done_at=done,
                limit=limits[stage],
                state=state,
                minutes=minutes,
            )
        )
    return result


def late_condition(now: datetime.datetime) -> Q:
    """Open investigations with a clock running past its limit, as one filter (the home card
    counts with it)."""
    limits = clock_limits()
    return Q(state=InvestigationState.OPEN) & (
        Q(report_confirmed_at__isnull=True, found_at__lt=now - limits["report"])
        | Q(
            report_confirmed_at__isnull=False,
            transfer_arrived_at__isnull=True,
            report_confirmed_at__lt=now - limits["transfer"],
        )
        | Q(
            transfer_arrived_at__isnull=False,
            consultation_at__isnull=True,
            transfer_arrived_at__lt=now - limits["consultation"],
        )
    )


def _record_point(actor, investigation: Investigation, field: str, at, *, after) -> Investigation:
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    _aware(at, "at", errors)
    _not_future(at, "at", errors, now)
    if not errors and after is not None and at < after:
        errors["at"] = [_("时间不能早于上一环节。")]
    if errors:
        raise ValidationError(errors)
    return _change(actor, investigation, {field: at})


def record_clock(*, actor, investigation: Investigation, stage: str, at) -> Investigation:
    """Records "report confirmed" or "expert consultation" on the investigation."""
    _require(actor, INVESTIGATION, CHANGE, investigation.region_path)
    if stage not in RECORDED_STAGES:
        raise ValidationError({"stage": _("只能登记报告确认或专家会诊。")})
    after = investigation.found_at if stage == "report" else investigation.transfer_arrived_at
    if stage == "consultation" and after is None:
        raise ValidationError({"stage": _("转运到达后才能登记专家会诊。")})
    return _record_point(actor, investigation, RECORDED_STAGES[stage], at, after=after)


def record_transfer_arrived(
    *, actor, investigation: Investigation, at, authorised: bool = False
) -> Investigation:
    """The case arrived at hospital or site: the transfer work calls this when its passenger
    is marked arrived. Needs the right to change the investigation, as every clock does, unless
    `authorised`: the transfer work has checked the actor's right over the batch (its driver
    stops the clock, who may not otherwise touch the investigation)."""
    if not authorised:
        _require(actor, INVESTIGATION, CHANGE, investigation.region_path)
    if investigation.report_confirmed_at is None:
        raise ValidationError({"at": _("报告确认后才能登记转运到达。")})
    return _record_point(
        actor, investigation, "transfer_arrived_at", at, after=investigation.report_confirmed_at
    )


# Places


def add_place(
    *, actor, investigation: Investigation, start, end, venue: Venue | None = None, description=""
) -> Place:
    _require(actor, INVESTIGATION, CHANGE, investigation.region_path)
    description = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if venue is None and not description:
        errors["description"] = [_("请选择场所或填写地点。")]
    if len(description) > 200:
        errors["description"] = [_("地点最多 200 个字。")]
    _aware(start, "start", errors)
    _aware(end, "end", errors)
    now = timezone.now()
    _not_future(start, "start", errors, now)
    if not errors and end < start:
        errors["end"] = [_("结束时间不能早于开始时间。")]
    if errors:
        raise ValidationError(errors)
    place = Place(
        investigation=investigation,
        region_path=investigation.region_path,
        venue=venue,
        description=description,
        start=start,
        end=end,
        source=PlaceSource.MANUAL,
    )
    with transaction.atomic():
        place.save(force_insert=True)
        audit.record_created(actor=actor, obj=place, fields=PLACE_FIELDS)
    return place


@dataclass(frozen=True)
class Proposal:
    places: int
    contacts: int
    truncated: bool


def propose(
    *,
    actor,
    investigation: Investigation,
    days: int = DEFAULT_DAYS,
    window_minutes: int = DEFAULT_WINDOW_MINUTES,
) -> Proposal:
    """Proposes the case's check-ins and scans of the last `days` days as places, and the people
    checked in at those venues within ±`window_minutes` as contacts to confirm (checkpoints'
    colocated query, logged there as an investigation of the case). Proposing again adds only
    what is new."""
    _require(actor, CONTACT, ADD, investigation.region_path)
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": _("天数须在 1 到 %(max)d 之间。") % {"max": MAX_DAYS}})
    end = max(timezone.now(), investigation.found_at)
    start = end - datetime.timedelta(days=days)
    person = investigation.person
    # Raises for a window out of range, and logs the query against the case.
    found = checkpoints.colocated(
        user=actor, person=person, start=start, end=end, window_minutes=window_minutes
    )
    visits = list(
        CheckIn.objects.filter(person=person, at__gte=start, at__lt=end).values_list(
            "pk", "venue_id", "at"
        )
    )
    scans = list(
        Scan.objects.filter(
            person=person, venue__isnull=False, scanned_at__gte=start, scanned_at__lt=end
        ).values_list("pk", "venue_id", "scanned_at")
    )
    places = [
        Place(
            investigation=investigation,
            region_path=investigation.region_path,
            venue_id=venue_id,
            start=at,
            end=at,
            source=source,
            source_ref=str(pk),
        )
        for source, rows in ((PlaceSource.CHECKIN, visits), (PlaceSource.SCAN, scans))
        for pk, venue_id, at in rows
    ]
    now = timezone.now()
    with transaction.atomic():
        # Two proposals of one case at once would both find nothing known and insert the same
        # places: the second waits here for the first (SQLite serialises writers anyway).
        Investigation.objects.select_for_update().filter(pk=investigation.pk).exists()
        known = set(
            Place.objects.filter(investigation=investigation)
            .exclude(source_ref="")
            .values_list("source", "source_ref")
        )
        fresh_places = [p for p in places if (p.source, p.source_ref) not in known]
        Place.objects.bulk_create(fresh_places, batch_size=2000)
        by_visit = {
            (place.venue_id, place.start): place
            for place in Place.objects.filter(
                investigation=investigation, source=PlaceSource.CHECKIN
            )
        }
        taken = set(
            Contact.objects.filter(investigation=investigation, person__isnull=False).values_list(
                "person_id", flat=True
            )
        )
        contacts = []
        for item in found.contacts:
            if item.person_id in taken:
                continue
            taken.add(item.person_id)
            place = by_visit.get((item.venue_id, item.person_at))
            contacts.append(
                Contact(
                    investigation=investigation,
                    region_path=investigation.region_path,
                    chain_root_id=investigation.chain_root_id,
                    person_id=item.person_id,
                    category=ContactCategory.CLOSE,
                    exposure_at=item.at,
                    place=place,
                    place_text=item.venue_name,
                    state=ContactState.PROPOSED,
                    created_by=actor,
                    created_at=now,
                )
            )
        Contact.objects.bulk_create(contacts, batch_size=2000)
        changes = audit.BulkChanges(actor=actor, time=now)
        for obj, fields in [(p, PLACE_FIELDS) for p in fresh_places] + [
            (c, CONTACT_FIELDS) for c in contacts
        ]:
            changes.add(
                object_type=obj._meta.label_lower,
                object_id=obj.pk,
                object_repr=f"{obj._meta.verbose_name} {investigation.person}",
                region_path=investigation.region_path,
                action=ObjectChange.CREATE,
                before=None,
                after=audit.snapshot(obj, fields),
            )
        changes.flush()
    return Proposal(places=len(fresh_places), contacts=len(contacts), truncated=found.truncated)


# Contacts


def find_resident(*, actor, id_number: str = "", name: str = "", phone: str = "") -> Person | None:
    """A registered resident within the caller's scope: by ID number, or by name and phone."""
    people = Person.objects.restrict(actor, VIEW)
    id_number = (id_number or "").strip().upper()
    if id_number:
        return people.filter(id_number=id_number).first()
    name, phone = (name or "").strip(), (phone or "").strip()
    if name and phone:
        return people.filter(phone=phone, name=name).first()
    return None


def _check_contact_fields(
    *, category, exposure_at, place: Place | None, place_text: str, investigation, errors, now
):
    if category not in ContactCategory.values:
        errors["category"] = [_("请选择密接或次密接。")]
    _aware(exposure_at, "exposure_at", errors)
    _not_future(exposure_at, "exposure_at", errors, now)
    if place is not None and place.investigation_id != investigation.pk:
        errors["place"] = [_("该地点不属于此流调。")]
    if len(place_text) > 200:
        errors["place_text"] = [_("地点最多 200 个字。")]


def _contact_fact(actor, contact: Contact) -> Fact:
    """Writes the contact's fact through the health services: the colour follows from it."""
    assert contact.person is not None
    if not can(actor, FACT, ADD, contact.person.region_path):
        raise PermissionDenied(
            _("该接触者不在您可登记健康事实的辖区，请联系其所在辖区的流调人员。")
        )
    return health.record_fact(
        actor=actor,
        source=SOURCE,
        person=contact.person,
        kind=CONTACT_FACT[ContactCategory(contact.category)],
        occurred_at=contact.exposure_at,
        source_ref=str(contact.pk),
        details={"investigation": str(contact.investigation_id)},
    )


def record_contact(
    *,
    actor,
    investigation: Investigation,
    category: str,
    exposure_at,
    person: Person | None = None,
    name: str = "",
    phone: str = "",
    address: str = "",
    region: Region | None = None,
    place: Place | None = None,
    place_text: str = "",
) -> Contact:
    """A contact of the case. A registered resident (`person`) is linked and their contact fact
    written; anyone else (name, phone, address and the grid of that address) becomes a task for
    that grid's team to locate them."""
    _require(actor, CONTACT, ADD, investigation.region_path)
    now = timezone.now()
    name, phone, address = (name or "").strip(), (phone or "").strip(), (address or "").strip()
    place_text = (place_text or "").strip()
    errors: dict[str, list[str]] = {}
    _check_contact_fields(
        category=category,
        exposure_at=exposure_at,
        place=place,
        place_text=place_text,
        investigation=investigation,
        errors=errors,
        now=now,
    )
    if person is not None:
        if person.pk == investigation.person_id:
            errors["person"] = [_("病例本人不能登记为其接触者。")]
        elif Contact.objects.filter(investigation=investigation, person=person).exists():
            errors["person"] = [_("该居民已登记为此病例的接触者。")]
    else:
        if not name or len(name) > 50:
            errors["name"] = [_("请填写姓名（最多 50 个字）。")]
        if phone and not PHONE.fullmatch(phone):
            errors["phone"] = [_("请填写 11 位手机号。")]
        if not address or len(address) > 200:
            errors["address"] = [_("请填写地址（最多 200 个字）。")]
        if region is None:
            errors["region"] = [_("请选择该地址所在的网格。")]
    if errors:
        raise ValidationError(errors)
    contact = Contact(
        investigation=investigation,
        region_path=investigation.region_path,
        chain_root_id=investigation.chain_root_id,
        person=person,
        name=name,
        phone=phone,
        address=address,
        region=region if person is None else None,
        category=category,
        exposure_at=exposure_at,
        place=place,
        place_text=place_text or (place.label if place else ""),
        state=ContactState.LINKED if person is not None else ContactState.TO_LOCATE,
        created_by=actor,
        created_at=now,
    )
    try:
        with transaction.atomic():
            _save_contact(actor, contact)
    except IntegrityError as exc:
        # Recorded by someone else a moment ago.
        raise ValidationError({"person": _("该居民已登记为此病例的接触者。")}) from exc
    return contact


def _save_contact(actor, contact: Contact) -> None:
    contact.save(force_insert=True)
    if contact.person is not None:
        contact.fact = _contact_fact(actor, contact)
    else:
        contact.task = _locate_task(actor, contact)
    contact.save(update_fields=["fact", "task"])
    audit.record_created(actor=actor, obj=contact, fields=[*CONTACT_FIELDS, "fact", "task"])


def _locate_task(actor, contact: Contact) -> Task:
    """A LOCATE_CONTACT task for the grid of the address: idempotent per contact."""
    assert contact.region is not None
    fieldwork.create_tasks(
        actor=actor,
        source=SOURCE,
        authorised=True,
        items=[
            fieldwork.TaskInput(
                kind=TaskKind.LOCATE_CONTACT,
                due_at=timezone.now() + datetime.timedelta(hours=2),
                region=contact.region,
                title=_("查找%(category)s %(name)s")
                % {"category": contact.get_category_display(), "name": contact.masked_name},
                # The team needs the name to find them: the task page shows it to its
                # assignee and the grid's leaders only, as it shows addresses.
                notes=_("姓名：%(name)s；地址：%(address)s；手机：%(phone)s；接触时间：%(at)s")
                % {
                    "name": contact.name,
                    "address": contact.address,
                    "phone": contact.phone or "—",
                    "at": timezone.localtime(contact.exposure_at).strftime("%Y-%m-%d %H:%M"),
                },
                source_ref=str(contact.pk),
            )
        ],
    )
    return Task.objects.get(kind=TaskKind.LOCATE_CONTACT, source=SOURCE, source_ref=str(contact.pk))


def _settle(actor, contact: Contact, changes: dict) -> Contact:
    names = list(changes)
    before = audit.snapshot(contact, names)
    updated = Contact.objects.filter(pk=contact.pk, state=contact.state).update(
        **changes, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError({"state": _("该接触者已被他人处理，请刷新后再看。")})
    for name, value in changes.items():
        setattr(contact, name, value)
    audit.record_updated(
        actor=actor, obj=contact, before=before, after=audit.snapshot(contact, names)
    )
    return contact


def confirm_contact(*, actor, contact: Contact, category: str, exposure_at=None) -> Contact:
    """A proposed contact is confirmed as close or secondary: their fact is written."""
    _require(actor, CONTACT, CHANGE, contact.region_path)
    if contact.state != ContactState.PROPOSED:
        raise ValidationError({"state": _("只有待核实的接触者可以确认。")})
    exposure_at = exposure_at or contact.exposure_at
    errors: dict[str, list[str]] = {}
    _check_contact_fields(
        category=category,
        exposure_at=exposure_at,
        place=None,
        place_text="",
        investigation=contact.investigation,
        errors=errors,
        now=timezone.now(),
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact.category, contact.exposure_at = category, exposure_at
        fact = _contact_fact(actor, contact)
        return _settle(
            actor,
            contact,
            {
                "state": ContactState.LINKED,
                "category": category,
                "exposure_at": exposure_at,
                "fact": fact,
            },
        )


def dismiss_contact(*, actor, contact: Contact, reason: str) -> Contact:
    """Not a contact after all (a proposal that was someone passing by); the reason is kept
    in the audit trail. A contact whose fact was written is retracted through health instead."""
    _require(actor, CONTACT, CHANGE, contact.region_path)
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_TEXT:
        raise ValidationError({"reason": _("请写明排除的原因。")})
    if contact.state not in (ContactState.PROPOSED, ContactState.TO_LOCATE):
        raise ValidationError({"state": _("已登记的接触者不能排除，请撤销其健康事实。")})
    with transaction.atomic():
        contact = _settle(actor, contact, {"state": ContactState.DISMISSED})
        if contact.task_id:
            task = Task.objects.get(pk=contact.task_id)
            if task.pending:
                fieldwork.fail(actor=actor, task=task, reason=reason, authorised=True)
    return contact


def contact_found(*, actor, contact: Contact, person: Person) -> Contact:
    """The team found the contact to locate: the person (found, or registered for it through
    the people area) is linked, their fact written, and the locate task completed."""
    _require(actor, CONTACT, CHANGE, contact.region_path)
    if contact.state != ContactState.TO_LOCATE:
        raise ValidationError({"state": _("只有待查找的接触者可以登记找到。")})
    if person.pk == contact.investigation.person_id:
        raise ValidationError({"person": _("病例本人不能登记为其接触者。")})
    if Contact.objects.filter(investigation=contact.investigation_id, person=person).exists():
        raise ValidationError({"person": _("该居民已登记为此病例的接触者。")})
    with transaction.atomic():
        contact.person = person
        fact = _contact_fact(actor, contact)
        contact = _settle(
            actor, contact, {"state": ContactState.LINKED, "person": person, "fact": fact}
        )
        if contact.task_id:
            task = Task.objects.get(pk=contact.task_id)
            if task.pending:
                fieldwork.complete(
                    actor=actor,
                    task=task,
                    note=_("已找到并登记"),
                    result={"person": str(person.pk)},
                    authorised=True,
                )
    return contact
