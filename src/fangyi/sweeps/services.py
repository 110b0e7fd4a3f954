"""The only place that writes sweeps, their doors, building assignments and visits.

Starting a sweep writes a door per household of its regions in one INSERT … SELECT, then puts a
visit task per household on its grid's worklist through `fieldwork.create_household_tasks`
(INSERT … SELECT again, with an audit row per task written the same way; idempotent on the
household, so a start that failed half way can be run again by `ensure_worklists`).

Uploading visits is idempotent on the id the phone gave each visit. What an answered visit
says becomes what it means through the owning services, under the uploader's own rights:
newcomers and moves through `people.services` (checked one by one, written together per
upload), arrivals and temperatures as health facts
through `health.services.record_facts` (the colour follows by the rules; an arrival from a
risk area proposes an isolation order through isolation's receiver of the facts signal), fever
as a referral task through fieldwork, special needs as the person's tags. What the uploader may
not do, or what the registry refuses (an ID number that fails its checksum), is kept on the
visit as a problem for the community to settle, never lost and never half applied.
"""

import contextlib
import datetime
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.bulk import TableWriter, time_ordered_id_sql, update_rows
from fangyi.core.models import ObjectChange
from fangyi.core.paths import next_prefix, under
from fangyi.core.permissions import ADD, CHANGE, EVERYWHERE, VIEW, can, require, scope_paths
from fangyi.fieldwork import services as fieldwork
from fangyi.fieldwork.models import Task, TaskKind, TaskStatus
from fangyi.health.area import FACT
from fangyi.health.models import FactKind, Policy
from fangyi.health.services import FactInput, check_fact, recomputed_together, record_facts
from fangyi.people import services as people
from fangyi.people.models import (
    TAG_FIELDS,
    Household,
    IdType,
    Person,
    ResidenceStatus,
    short_address,
)
from fangyi.people.validation import validate_resident_id
from fangyi.regions.models import Level, Region, ancestor_paths

from . import questions as q
from .area import SWEEP, SWEEP_VISIT
from .models import (
    CONFLICT_PROBLEM,
    MISSES_TO_LIST,
    Assignment,
    Door,
    DoorState,
    Outcome,
    Sweep,
    SweepStatus,
    Visit,
    refused_count,
)

SWEEP_FIELDS = ["title", "region", "region_paths", "questions", "policy_code", "deadline", "status"]
MAX_TITLE = 100
MAX_REGIONS = 50
MAX_VISITS = 500
SOURCE = "sweeps"
FACT_SOURCE = "sweep"
VISIT_TYPE = Visit._meta.label_lower
# How far back a reported return is still news for the sweep.
ARRIVAL_WINDOW = datetime.timedelta(days=30)
MAX_ANSWER_TEXT = 100


def _common_region(regions: list[Region]) -> Region:
    """The lowest region above (or equal to) every one of `regions`."""
    shared = set(ancestor_paths(regions[0].path))
    for region in regions[1:]:
        shared &= set(ancestor_paths(region.path))
    return Region.objects.get(path=max(shared, key=len))


def _inside(paths: list[str], column: str) -> tuple[str, list[str]]:
    """A WHERE over `column` for the subtrees of `paths`, as index ranges."""
    ranges = " OR ".join(f"({column} >= %s AND {column} < %s)" for _path in paths)
    params = [value for path in paths for value in (path, next_prefix(path))]
    return ranges, params


def visible_sweeps(user, action: str = VIEW):
    """The sweeps the user may see: those over their regions, and those reaching into them
    (a city's sweep, for a grid worker of one of its grids)."""
    paths = scope_paths(user, SWEEP, action)
    if paths is EVERYWHERE:
        return Sweep.objects.all()
    condition = Q(pk__in=[])
    for path in paths:
        reaching = Door.objects.filter(under("region_path", path), sweep=OuterRef("pk"))
        condition |= under("region_path", path) | Q(Exists(reaching))
    return Sweep.objects.filter(condition)


# Starting and ending


def start_sweep(
    *,
    actor,
    title: str,
    regions: list[Region],
    deadline: datetime.datetime | None,
    sections: Sequence[str] | None = None,
) -> Sweep:
    """Starts a sweep over `regions` (any level from city to building): the question set
    from the plan in force, a door per household and a visit task per household."""
    title = (title or "").strip()
    errors: dict[str, list[str]] = {}
    if not title or len(title) > MAX_TITLE:
        errors["title"] = [_("请填写名称（不超过 %(n)d 个字）。") % {"n": MAX_TITLE}]
    regions = list({region.path: region for region in regions}.values())
    if not regions or len(regions) > MAX_REGIONS:
        errors["regions"] = [_("请选择 1 到 %(n)d 个排查区域。") % {"n": MAX_REGIONS}]
    elif any(region.level < Level.CITY for region in regions):
        errors["regions"] = [_("排查区域应为市、区县、街道、社区、网格或楼栋。")]
    if deadline is None or timezone.is_naive(deadline):
        errors["deadline"] = [_("请填写带时区的截止时间。")]
    elif deadline <= timezone.now():
        errors["deadline"] = [_("截止时间应晚于现在。")]
    sections = list(q.SECTIONS) if sections is None else list(sections)
    if not sections or set(sections) - set(q.SECTIONS):
        errors["sections"] = [_("请从给出的问题中选择。")]
    if errors:
        raise ValidationError(errors)
    for region in regions:
        require(actor, SWEEP, ADD, region.path)
    # Nested regions are swept once, under the outer one.
    paths = sorted(region.path for region in regions)
    outer = [path for path in paths if not any(path.startswith(o) and path != o for o in paths)]
    policy = Policy.objects.in_force()
    root = _common_region(regions)
    assert deadline is not None
    sweep = Sweep(
        title=title,
        region=root,
        region_path=root.path,
        region_paths=outer,
        questions=q.build(sections, policy),
        policy_code=policy.code,
        deadline=deadline,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    with transaction.atomic(), _checked_as_written():
        sweep.save(force_insert=True)
        _write_doors(sweep)
        sweep.household_count = Door.objects.filter(sweep=sweep).count()
        Sweep.objects.filter(pk=sweep.pk).update(household_count=sweep.household_count)
        audit.record_created(actor=actor, obj=sweep, fields=[*SWEEP_FIELDS, "household_count"])
        ensure_worklists(actor=actor, sweep=sweep)
    return sweep


@contextlib.contextmanager
def _checked_as_written():
    """Foreign keys checked as each statement ends rather than at commit (PostgreSQL; Django
    declares them deferred): the doors and tasks of a city refer only to rows that exist
    before they are written, and a commit that checks 770,000 queued references at once ran
    for over a minute (finding 36). Deferred again after, for the rest of an outer
    transaction."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _write_doors(sweep: Sweep) -> int:
    """A door per household of the sweep's regions, in one statement, with ids in region
    order (appended to the primary-key index, not scattered over it); a household that has
    one already keeps it."""
    table = Door._meta.db_table
    households = Household._meta.db_table
    where, params = _inside(sweep.region_paths, "h.region_path")
    new_id, id_params = time_ordered_id_sql("h.region_path, h.id")
    sweep_id = Door._meta.get_field("sweep").get_db_prep_save(sweep.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, sweep_id, household_id, building_id, region_path, state,"
            " misses, visits, conflict, confirmed, newcomers, arrivals, visited_at)"
            f" SELECT {new_id}, %s, h.id, h.building_id, h.region_path, %s, 0, 0, %s, 0, 0, 0,"
            f" NULL FROM {households} h WHERE ({where}) ORDER BY h.region_path, h.id"
            " ON CONFLICT DO NOTHING",
            [*id_params, sweep_id, DoorState.TO_VISIT.value, False, *params],
        )
        return cursor.rowcount


def ensure_worklists(*, actor, sweep: Sweep) -> int:
    """Puts a visit task on the grid's worklist for every door of the sweep that has none yet
    (fieldwork skips a household already given one), in one statement; answers how many are
    new."""
    title = _("入户排查：%(title)s") % {"title": sweep.title}
    return fieldwork.create_household_tasks(
        actor=actor,
        source=sweep.source,
        kind=TaskKind.FOLLOW_UP_VISIT,
        due_at=sweep.deadline,
        title=title[:100],
        households=Household.objects.filter(
            pk__in=Door.objects.filter(sweep=sweep).values("household_id")
        ),
        authorised=True,
    )


def end_sweep(*, actor, sweep: Sweep) -> Sweep:
    """Ends the sweep: phones clear what they stored for it; no more visits are taken."""
    require(actor, SWEEP, CHANGE, sweep.region_path)
    if not sweep.running:
        raise ValidationError({"status": _("该排查已结束。")})
    before = audit.snapshot(sweep, ["status", "ended_at"])
    with transaction.atomic():
        updated = Sweep.objects.filter(pk=sweep.pk, status=SweepStatus.RUNNING).update(
            status=SweepStatus.ENDED, ended_at=timezone.now()
        )
        if not updated:
            raise ValidationError({"status": _("该排查已结束。")})
        sweep.refresh_from_db()
        audit.record_updated(
            actor=actor, obj=sweep, before=before, after=audit.snapshot(sweep, before)
        )
    return sweep


# Splitting buildings


def sweep_buildings(sweep: Sweep) -> "list[Region]":
    """The buildings the sweep has doors in."""
    return list(
        Region.objects.filter(
            pk__in=Door.objects.filter(sweep=sweep).values("building_id").distinct()
        ).order_by("path")
    )


def assign_building(*, actor, sweep: Sweep, building: Region, assignee) -> Assignment:
    """Gives a building of the sweep to a member of its grid team (or moves it to another):
    the building's visit tasks go to them too."""
    require(actor, SWEEP, CHANGE, building.path)
    if not sweep.running:
        raise ValidationError({"status": _("该排查已结束。")})
    if (
        building.level != Level.BUILDING
        or not Door.objects.filter(sweep=sweep, building=building).exists()
    ):
        raise ValidationError({"building": _("该楼栋不在此次排查范围内。")})
    if assignee is None or not fieldwork.may_take(assignee, building.path):
        raise ValidationError({"assignee": _("只能分给该网格的网格员、志愿者或网格长。")})
    with transaction.atomic():
        current = Assignment.objects.select_for_update().filter(sweep=sweep, building=building)
        assignment = current.first()
        if assignment is None:
            assignment = Assignment(
                sweep=sweep, building=building, region_path=building.path, assignee=assignee
            )
            assignment.save(force_insert=True)
            audit.record_created(actor=actor, obj=assignment, fields=["building", "assignee"])
        elif assignment.assignee_id != assignee.pk:
            before = audit.snapshot(assignment, ["assignee"])
            assignment.assignee = assignee
            assignment.assigned_at = timezone.now()
            assignment.save(update_fields=["assignee", "assigned_at"])
            audit.record_updated(
                actor=actor,
                obj=assignment,
                before=before,
                after=audit.snapshot(assignment, ["assignee"]),
            )
        tasks = list(
            Task.objects.filter(
                source=sweep.source,
                region_path=building.path,
                status__in=(TaskStatus.OPEN, TaskStatus.ASSIGNED),
            ).exclude(assignee=assignee)
        )
        if tasks:
            fieldwork.assign_many(actor=actor, tasks=tasks, assignee=assignee)
    return assignment


def buildings_of(user, sweep: Sweep) -> list[Region]:
    """The buildings of the sweep the user visits: those given to them, and every building of
    the sweep where they split the work (a grid leader, an officer)."""
    given = Assignment.objects.filter(sweep=sweep, assignee_id=user.pk).values("building_id")
    buildings = Region.objects.filter(pk__in=given)
    led = [
        b.pk
        for b in sweep_buildings(sweep)
        if can(user, SWEEP, CHANGE, b.path) and can(user, SWEEP_VISIT, ADD, b.path)
    ]
    return list((buildings | Region.objects.filter(pk__in=led)).distinct().order_by("path"))


# Visits


@dataclass(frozen=True)
class VisitInput:
    """One visit as the phone recorded it."""

    id: uuid.UUID
    household_id: uuid.UUID
    visited_at: datetime.datetime
    outcome: str
    answers: dict = field(default_factory=dict)


@dataclass
class UploadResult:
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    problems: dict[str, list[dict]] = field(default_factory=dict)


def _text(value, name: str, errors: dict, *, required: bool = True) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        errors.setdefault(name, []).append(_("请填写此项。"))
        return ""
    if len(value) > MAX_ANSWER_TEXT:
        errors.setdefault(name, []).append(_("最多 %(n)d 个字。") % {"n": MAX_ANSWER_TEXT})
    return value.strip()


class _Sheet(NamedTuple):
    """What every visit of an upload is checked against, read from the sweep once."""

    asked: set[str]
    risks: set[str]
    earliest: datetime.datetime
    latest: datetime.datetime


OUTCOMES = frozenset(Outcome.values)


def _sheet(sweep: Sweep, now: datetime.datetime) -> _Sheet:
    arrival: dict = next((qn for qn in sweep.questions if qn["key"] == q.ARRIVAL), {"choices": []})
    return _Sheet(
        asked=q.keys(sweep.questions),
        risks={choice["code"] for choice in arrival["choices"]},
        earliest=sweep.created_at - datetime.timedelta(minutes=10),
        latest=now + datetime.timedelta(minutes=10),
    )


def _check_answers(sheet: _Sheet, item: VisitInput, members: set[str]) -> dict[str, list[str]]:
    """What is wrong with a visit's answers, by dotted field; empty when it may be applied."""
    errors: dict[str, list[str]] = {}
    answers = item.answers or {}
    asked = sheet.asked
    if item.outcome not in OUTCOMES:
        errors["outcome"] = [_("结果应为 answered（已入户）或 not_answered（敲门未应）。")]
        return errors
    if timezone.is_naive(item.visited_at) or item.visited_at > sheet.latest:
        errors["visited_at"] = [_("走访时间不能晚于现在。")]
    elif item.visited_at < sheet.earliest:
        errors["visited_at"] = [_("走访时间早于排查开始。")]
    if item.outcome == Outcome.NOT_ANSWERED:
        if any(answers.get(key) for key in answers):
            errors["answers"] = [_("敲门未应的走访不能有回答。")]
        return errors
    unknown = set(answers) - {"members", "newcomers", "arrivals", "health", "needs"}
    if unknown:
        errors["answers"] = [_("未知的回答：%(names)s") % {"names": ", ".join(sorted(unknown))}]
        return errors
    sections = {
        "members": q.MEMBERS,
        "newcomers": q.MEMBERS,
        "arrivals": q.ARRIVAL,
        "health": q.HEALTH,
        "needs": q.NEEDS,
    }
    for name, section in sections.items():
        rows = answers.get(name, [])
        if not isinstance(rows, list):
            errors[f"answers.{name}"] = [_("应为列表。")]
        elif rows and section not in asked:
            errors[f"answers.{name}"] = [_("此次排查不问这一项。")]
        elif not all(isinstance(row, dict) for row in rows):
            errors[f"answers.{name}"] = [_("应为对象的列表。")]
    if errors:
        return errors
    newcomers = answers.get("newcomers", [])
    whos = set(members) | {f"new:{index}" for index in range(len(newcomers))}
    for index, row in enumerate(answers.get("members", [])):
        if str(row.get("person")) not in members:
            errors.setdefault(f"answers.members.{index}.person", []).append(
                _("该居民不在此户的台账上。")
            )
        if row.get("status") not in ("here", "away"):
            errors.setdefault(f"answers.members.{index}.status", []).append(
                _("应为 here（在住）或 away（外出）。")
            )
    for index, row in enumerate(newcomers):
        _text(row.get("name"), f"answers.newcomers.{index}.name", errors)
        _text(row.get("id_number"), f"answers.newcomers.{index}.id_number", errors)
        _text(row.get("phone", ""), f"answers.newcomers.{index}.phone", errors, required=False)
    risks = sheet.risks
    for name in ("arrivals", "health", "needs"):
        for index, row in enumerate(answers.get(name, [])):
            if str(row.get("who")) not in whos:
                errors.setdefault(f"answers.{name}.{index}.who", []).append(
                    _("请指明是此户的哪一位。")
                )
    for index, row in enumerate(answers.get("arrivals", [])):
        where = f"answers.arrivals.{index}"
        _text(row.get("from"), f"{where}.from", errors)
        if row.get("risk") not in risks:
            errors.setdefault(f"{where}.risk", []).append(_("请从给出的地区风险等级中选择。"))
        arrived = _moment(row.get("arrived_at"))
        if arrived is None or arrived > sheet.latest:
            errors.setdefault(f"{where}.arrived_at", []).append(_("请填写返回时间（不晚于现在）。"))
    for index, row in enumerate(answers.get("health", [])):
        temperature = row.get("temperature")
        if temperature is not None and (
            isinstance(temperature, bool)
            or not isinstance(temperature, int | float)
            or not 34 <= temperature <= 43
        ):
            errors.setdefault(f"answers.health.{index}.temperature", []).append(
                _("体温应为 34 到 43 之间的数字（摄氏度）。")
            )
        symptoms = row.get("symptoms", [])
        if not isinstance(symptoms, list) or not all(s in q.SYMPTOMS for s in symptoms):
            errors.setdefault(f"answers.health.{index}.symptoms", []).append(
                _("请从给出的症状中选择。")
            )
    for index, row in enumerate(answers.get("needs", [])):
        tags = row.get("tags")
        if not isinstance(tags, list) or not tags or set(tags) - set(TAG_FIELDS):
            errors.setdefault(f"answers.needs.{index}.tags", []).append(
                _("请从给出的特殊需求中选择。")
            )
    return errors


def _moment(value) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def upload_visits(*, actor, sweep: Sweep, items: list[VisitInput]) -> UploadResult:
    """Takes a phone's visits; a visit already taken (by its id) is answered as a duplicate
    and changes nothing. One malformed visit refuses the batch, naming its index, before
    anything is written, as does a household the uploader may not record: every visit
    refused is named; what the registry or the uploader's rights refuse later is kept on the
    visit as a problem."""
    if not items:
        raise ValidationError({"visits": _("没有要上传的走访记录。")})
    if len(items) > MAX_VISITS:
        raise ValidationError({"visits": _("每次最多上传 %(n)d 条。") % {"n": MAX_VISITS}})
    require(actor, SWEEP_VISIT, ADD)
    if not sweep.running:
        raise ValidationError({"sweep": _("该排查已结束，不再接收走访记录。")})
    now = timezone.now()
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise ValidationError({"visits": _("同一批中有重复的走访编号。")})
    # Checked inside the transaction that writes, so that the doors are read once, locked
    # (in one order, so that two uploads of one building wait rather than deadlock); a
    # refusal rolls back nothing but those locks. Statuses are recomputed once, at the end,
    # then the regions' resident counts are written, last: they are the rows every upload
    # writes, held from there to the commit.
    with transaction.atomic(), people.counted_together(), recomputed_together():
        known = dict(Visit.objects.filter(pk__in=ids).values_list("pk", "sweep_id"))
        fresh = [item for item in items if item.id not in known]
        doors = {
            door.household_id: door
            for door in Door.objects.select_for_update(of=("self",))
            .filter(sweep=sweep, household_id__in={item.household_id for item in fresh})
            .annotate(
                building_name=F("household__building__name"),
                household_unit=F("household__unit"),
                household_room=F("household__room"),
            )
            .order_by("pk")
        }
        # Each member's residence status is all a confirmation reads: persons are built only
        # for those an answer changes or records a fact of (`_persons`).
        members: dict[uuid.UUID, dict[str, str]] = defaultdict(dict)
        for pk, household_id, status in Person.objects.filter(
            household_id__in=list(doors)
        ).values_list("pk", "household_id", "residence_status"):
            members[household_id][str(pk)] = status
        errors: dict[str, list[str]] = {}
        sheet = _sheet(sweep, now)
        # Every refusal names its visit (`visits.<index>.…`), so that a phone sets that visit
        # aside and sends the others again (sheet.js), rather than resending the batch for ever.
        for index, item in enumerate(items):
            if item.id in known:
                if known[item.id] != sweep.pk:
                    errors[f"visits.{index}.id"] = [_("走访编号已用于其他排查。")]
                continue
            door = doors.get(item.household_id)
            if door is None:
                errors[f"visits.{index}.household"] = [_("该户不在此次排查范围内。")]
                continue
            if not can(actor, SWEEP_VISIT, ADD, door.region_path):
                errors[f"visits.{index}.household"] = [_("您无权登记该户的走访。")]
                continue
            problems = _check_answers(sheet, item, set(members[door.household_id]))
            for name, messages in problems.items():
                errors[f"visits.{index}.{name}"] = messages
        if errors:
            raise ValidationError(errors)
        result = UploadResult(duplicates=[str(pk) for pk in ids if pk in known])
        answered = [item for item in fresh if item.outcome == Outcome.ANSWERED]
        applier = _Applier(actor=actor, sweep=sweep, now=now)
        applier.persons = _persons(answered, members)
        applier.look_up(
            [
                row.get("id_number", "")
                for item in answered
                for row in (item.answers or {}).get("newcomers", [])
            ]
        )
        with_newcomers = {
            item.household_id for item in answered if (item.answers or {}).get("newcomers")
        }
        if with_newcomers:
            for household in Household.objects.filter(pk__in=with_newcomers):
                doors[household.pk].household = household
        visits: list[_NewVisit] = []
        for item in sorted(fresh, key=lambda item: item.visited_at):
            door = doors[item.household_id]
            visit = _take(applier, door, item, members[door.household_id])
            visits.append(visit)
            result.accepted.append(str(visit.pk))
            if visit.conflict:
                result.conflicts.append(str(visit.pk))
        applier.finish()
        for visit in visits:
            visit.refused = refused_count(visit.problems)
            if visit.problems:
                result.problems[str(visit.pk)] = visit.problems
        _write_visits(sweep, actor, now, visits)
        _save_doors(list(doors.values()))
        applier.close_tasks(doors.values())
        addresses = {
            door.pk: short_address(door.building_name, door.household_unit, door.household_room)
            for door in doors.values()
        }
        changes = audit.BulkChanges(actor=actor, time=now)
        for visit in visits:
            changes.add(
                object_type=VISIT_TYPE,
                object_id=visit.pk,
                object_repr=addresses[visit.door.pk],
                region_path=visit.door.region_path,
                action=ObjectChange.CREATE,
                before=None,
                after={
                    "sweep": str(sweep.pk),
                    "outcome": visit.outcome,
                    "visited_at": visit.visited_at.isoformat(),
                    "conflict": visit.conflict,
                    "effects": visit.effects,
                    "problems": visit.problems,
                },
            )
        changes.flush()
    return result


def _persons(answered: list[VisitInput], members: dict[uuid.UUID, dict[str, str]]):
    """The members the answers change (away, or back from away) or name in a return, a
    temperature or a need, read in one query; the rest are only counted."""
    wanted: set[str] = set()
    for item in answered:
        household, answers = members[item.household_id], item.answers or {}
        for row in answers.get("members", []):
            pk = str(row["person"])
            if row["status"] == "away" or household[pk] == ResidenceStatus.AWAY:
                wanted.add(pk)
        for name in ("arrivals", "health", "needs"):
            whos = (str(row["who"]) for row in answers.get(name, []))
            wanted.update(who for who in whos if who in household)
    if not wanted:
        return {}
    return {str(person.pk): person for person in Person.objects.filter(pk__in=wanted)}


@dataclass
class _NewVisit:
    """A visit being taken, as its row will be written: an upload writes hundreds, and
    building each as a model cost more than writing it."""

    pk: uuid.UUID
    door: Door
    visited_at: datetime.datetime
    outcome: str
    answers: dict
    conflict: bool = False
    effects: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    refused: int = 0


VISIT_COLUMNS = ["id", "door_id", "region_path", "visited_at", "outcome", "answers", "conflict"]
VISIT_COLUMNS += ["effects", "problems", "refused"]


def _write_visits(sweep: Sweep, actor, now: datetime.datetime, visits: list[_NewVisit]) -> None:
    worker = actor if getattr(actor, "is_authenticated", False) else None
    constants = {
        "sweep_id": sweep.pk,
        "worker_id": worker.pk if worker is not None else None,
        "worker_name": getattr(actor, "username", ""),
        "uploaded_at": now,
    }
    TableWriter(Visit, VISIT_COLUMNS, constants).write(
        [
            (
                visit.pk,
                visit.door.pk,
                visit.door.region_path,
                visit.visited_at,
                visit.outcome,
                visit.answers,
                visit.conflict,
                visit.effects,
                visit.problems,
                visit.refused,
            )
            for visit in visits
        ]
    )


DOOR_FIGURES = [
    "state",
    "misses",
    "visits",
    "conflict",
    "confirmed",
    "newcomers",
    "arrivals",
    "visited_at",
]


def _save_doors(doors: list[Door]) -> None:
    """The doors' figures, one prepared UPDATE per door sent as a batch: bulk_update's CASE
    per field and row cost more to build than the rows to write."""
    update_rows(Door, doors, DOOR_FIGURES)


def _take(applier: "_Applier", door: Door, item: VisitInput, members: dict[str, str]) -> _NewVisit:
    """The visit row for `item`, with the door's figures moved on and its answers applied."""
    visit = _NewVisit(
        pk=item.id,
        door=door,
        visited_at=item.visited_at,
        outcome=item.outcome,
        answers=item.answers if item.outcome == Outcome.ANSWERED else {},
    )
    door.visits += 1
    if item.outcome == Outcome.NOT_ANSWERED:
        if door.state != DoorState.VISITED:
            door.misses += 1
            door.state = (
                DoorState.LISTED if door.misses >= MISSES_TO_LIST else DoorState.NOT_ANSWERED
            )
        return visit
    if door.state == DoorState.VISITED:
        # Two answered visits of one household: both kept, the later one left for a person
        # to compare, so that a newcomer is not registered twice.
        visit.conflict = door.conflict = True
        visit.problems = [
            {"what": CONFLICT_PROBLEM, "message": _("此户已有入户记录，本次未自动处理。")}
        ]
        return visit
    door.state = DoorState.VISITED
    door.visited_at = item.visited_at
    applier.apply(visit, door, item.answers or {}, members)
    return visit


class _Applier:
    """Turns answered visits into people changes, facts, tags and tasks, collecting the facts
    of the whole upload into one `record_facts` call."""

    def __init__(self, *, actor, sweep: Sweep, now: datetime.datetime) -> None:
        self.actor, self.sweep, self.now = actor, sweep, now
        self.risks = q.risk_codes(sweep.questions)
        self.facts: list[tuple[Visit, FactInput]] = []
        self.fevers: list[Person] = []
        self.answered: list[uuid.UUID] = []
        self.listed: list[uuid.UUID] = []
        # People changes checked as they are read, written together (`_write_people`).
        self.creates: dict[str, Person] = {}
        self.updates: dict[uuid.UUID, tuple[Person, dict]] = {}
        # The members an answer changes or names, by id (`_persons`).
        self.persons: dict[str, Person] = {}
        # The registry's persons by resident ID number, for the upload's newcomers, and the
        # numbers looked up (found or not).
        self.known: dict[str, Person] = {}
        self.looked_up: set[str] = set()

    def look_up(self, numbers: list[str]) -> None:
        """Reads the persons the upload's newcomers may be, in one query."""
        wanted = {str(number).strip().upper() for number in numbers}
        self.looked_up = wanted
        self.known = {
            person.id_number: person
            for person in Person.objects.filter(id_type=IdType.RESIDENT_ID, id_number__in=wanted)
        }

    def _problem(self, visit, what: str, who: str, exc: Exception) -> None:
        """Keeps a refused part on its visit: which part (`what`), whose (a person's id, or
        `new:<n>` for the visit's n-th newcomer) and the service's reason."""
        if isinstance(exc, ValidationError):
            message = "；".join(exc.messages)
        else:
            message = str(exc) or _("没有权限。")
        visit.problems.append({"what": what, "who": who, "message": message})

    def apply(self, visit, door: Door, answers: dict, members: dict[str, str]) -> None:
        """Applies an answered visit (a `_NewVisit`, or a `Visit` chosen later) of `door`,
        whose household's members are `members` (id → residence status; the persons an
        answer changes or names are in `persons`)."""
        effects: dict[str, list[str]] = defaultdict(list)
        whos: dict[str, Person] = {pk: self.persons[pk] for pk in members if pk in self.persons}
        for row in answers.get("members", []):
            pk = str(row["person"])
            person = self.persons.get(pk)
            current = members[pk] if person is None else person.residence_status
            status = ResidenceStatus.AWAY if row["status"] == "away" else None
            if status is None:
                door.confirmed += 1
                if current == ResidenceStatus.AWAY:
                    status = ResidenceStatus.RESIDENT
            if status is not None and status != current:
                assert person is not None, "read by _persons"
                self._change(visit, effects, person, {"residence_status": status}, "members")
        for index, row in enumerate(answers.get("newcomers", [])):
            found = self._newcomer(visit, effects, door.household, row, f"new:{index}")
            if found is not None:
                whos[f"new:{index}"] = found
                door.newcomers += 1
        for row in answers.get("arrivals", []):
            someone = whos.get(str(row["who"]))
            if someone is None:
                continue
            person = someone
            arrived = _moment(row["arrived_at"])
            assert arrived is not None
            place = row["from"].strip()
            if row["risk"] in self.risks:
                door.arrivals += 1
                item = FactInput(
                    person=person,
                    kind=FactKind.ARRIVAL_FROM_RISK_AREA,
                    occurred_at=arrived,
                    details={"area": f"{place}（{self.risks[row['risk']]}）", "risk": row["risk"]},
                    source_ref=str(visit.pk),
                )
            else:
                item = FactInput(
                    person=person,
                    kind=FactKind.HEALTH_DECLARATION,
                    occurred_at=arrived,
                    details={"trip": {"from": place, "arrived_at": arrived.isoformat()}},
                    source_ref=str(visit.pk),
                )
            self._fact(visit, item)
        for row in answers.get("health", []):
            someone = whos.get(str(row["who"]))
            if someone is None:
                continue
            person = someone
            details: dict = {"symptoms": list(row.get("symptoms") or [])}
            if row.get("temperature") is not None:
                details["temperature"] = round(float(row["temperature"]), 1)
            self._fact(
                visit,
                FactInput(
                    person=person,
                    kind=FactKind.HEALTH_DECLARATION,
                    occurred_at=min(visit.visited_at, self.now),
                    details=details,
                    source_ref=str(visit.pk),
                ),
            )
            if details["symptoms"] or details.get("temperature", 0) >= q.FEVER_FROM:
                self.fevers.append(person)
        for row in answers.get("needs", []):
            someone = whos.get(str(row["who"]))
            if someone is None:
                continue
            person = someone
            tags = {slug for slug, name in TAG_FIELDS.items() if getattr(person, name)}
            if set(row["tags"]) - tags:
                self._change(
                    visit, effects, person, {"tags": sorted(tags | set(row["tags"]))}, "needs"
                )
        visit.effects = dict(effects)

    def _pending(self, person: Person) -> bool:
        return person.pk in self.updates or any(
            new.pk == person.pk for new in self.creates.values()
        )

    def _write_people(self) -> None:
        """Writes the newcomers and people changes gathered so far: one `create_persons` and
        one `update_persons` (checked again there; all or none)."""
        if self.creates:
            people.create_persons(actor=self.actor, persons=list(self.creates.values()))
            self.known.update(self.creates)
            self.creates = {}
        if self.updates:
            people.update_persons(actor=self.actor, changes=list(self.updates.values()))
            self.updates = {}

    def _change(self, visit, effects, person: Person, changes: dict, what: str) -> None:
        # A person changed twice in one upload (a newcomer's needs, a member moved and then
        # tagged) is written before the second change is checked, as one by one.
        if self._pending(person):
            self._write_people()
        try:
            people.check_person_change(actor=self.actor, person=person, changes=changes)
        except (ValidationError, PermissionDenied) as exc:
            self._problem(visit, what, str(person.pk), exc)
        else:
            self.updates[person.pk] = (person, changes)
            effects["changed"].append(str(person.pk))

    def _path(self, person: Person) -> str:
        """Where the person lives once the changes gathered are written."""
        pending = self.updates.get(person.pk)
        if pending is not None and "household" in pending[1]:
            return pending[1]["household"].region_path
        return person.region_path

    def _newcomer(self, visit, effects, household: Household, row: dict, who: str) -> Person | None:
        """A newcomer registered in the household, or moved here when the registry knows them
        at another address."""
        number = row["id_number"].strip().upper()
        try:
            number = validate_resident_id(number)
        except ValidationError as exc:
            self._problem(visit, "newcomers", who, exc)
            return None
        if number in self.creates:
            # Found by an earlier visit of this upload: written first, then found as known.
            self._write_people()
        if number in self.known:
            known: Person | None = self.known[number]
        elif number in self.looked_up:
            known = None
        else:
            known = Person.objects.filter(id_type=IdType.RESIDENT_ID, id_number=number).first()
        try:
            if known is None:
                person = people.new_person(
                    actor=self.actor,
                    household=household,
                    name=row["name"].strip(),
                    id_number=number,
                    phone=(row.get("phone") or "").strip(),
                    residence_status=ResidenceStatus.RESIDENT,
                    # Looked up just now (`look_up`, or the query above).
                    unique=False,
                )
                self.creates[number] = person
                effects["created"].append(str(person.pk))
                return person
            if known.household_id == household.pk:
                return known
            if known.pk in self.updates:
                self._write_people()
            changes = {"household": household, "residence_status": ResidenceStatus.RESIDENT}
            people.check_person_change(actor=self.actor, person=known, changes=changes)
            self.updates[known.pk] = (known, changes)
            effects["moved"].append(str(known.pk))
            return known
        except (ValidationError, PermissionDenied) as exc:
            self._problem(visit, "newcomers", who, exc)
            return None

    def _fact(self, visit, item: FactInput) -> None:
        if not can(self.actor, FACT, ADD, self._path(item.person)):
            self._problem(
                visit,
                "facts",
                str(item.person.pk),
                PermissionDenied(_("您无权记录健康事实，请网格员处理。")),
            )
            return
        problems = check_fact(item, now=self.now)
        if problems:
            self._problem(visit, "facts", str(item.person.pk), ValidationError(problems))
            return
        self.facts.append((visit, item))

    def finish(self) -> None:
        """Writes the people changes, records the upload's facts together, and refers the
        fevers to the clinic."""
        self._write_people()
        if self.facts:
            recorded = record_facts(
                actor=self.actor, items=[item for _visit, item in self.facts], source=FACT_SOURCE
            )
            for (visit, _item), fact in zip(self.facts, recorded, strict=True):
                visit.effects.setdefault("facts", []).append(str(fact.pk))
        if self.fevers:
            fieldwork.create_tasks(
                actor=self.actor,
                source=self.sweep.source,
                items=[
                    fieldwork.TaskInput(
                        kind=TaskKind.FEVER_REFERRAL,
                        due_at=self.now + datetime.timedelta(hours=4),
                        person=person,
                        title=_("排查发现发热或症状"),
                        source_ref=f"fever:{person.pk}",
                    )
                    for person in self.fevers
                ],
                authorised=True,
            )

    def close_tasks(self, doors) -> None:
        """The worklist follows the doors: a door answered is a visit task done, a door listed
        for the community after its second miss is one that could not be done. A task
        already finished (a door answered before) is left as it is."""
        done = [str(door.household_id) for door in doors if door.state == DoorState.VISITED]
        listed = [str(door.household_id) for door in doors if door.state == DoorState.LISTED]
        tasks = {"actor": self.actor, "source": self.sweep.source, "kind": TaskKind.FOLLOW_UP_VISIT}
        if done:
            fieldwork.complete_by_ref(**tasks, refs=done)
        if listed:
            fieldwork.fail_by_ref(**tasks, refs=listed, reason=_("两次敲门未应，已交社区"))


def apply_chosen_visit(*, actor, sweep: Sweep, door: Door, visit: Visit) -> None:
    """Applies an answered visit that was set aside as a conflict, now that someone chose it
    (problems.keep_visit): the door's findings become this visit's, and its answers become
    what they mean as at an upload, under `actor`'s rights. The caller holds the door's lock
    and saves the door and the visit."""
    persons = {str(p.pk): p for p in Person.objects.filter(household_id=door.household_id)}
    members = {pk: person.residence_status for pk, person in persons.items()}
    answers = dict(visit.answers or {})
    # A member recorded then may have moved out since: not theirs to confirm any more.
    gone = [row for row in answers.get("members", []) if str(row.get("person")) not in members]
    answers["members"] = [row for row in answers.get("members", []) if row not in gone]
    visit.problems = [
        {
            "what": "members",
            "who": str(row.get("person")),
            "message": _("该居民已不在此户的台账上。"),
        }
        for row in gone
    ]
    door.confirmed = door.newcomers = door.arrivals = 0
    door.visited_at = visit.visited_at
    applier = _Applier(actor=actor, sweep=sweep, now=timezone.now())
    applier.persons = persons
    applier.apply(visit, door, answers, members)
    applier.finish()
    visit.refused = refused_count(visit.problems)
