"""The only place that writes tasks: check permission, validate, write, audit.

Who may do what (the permission matrix's TASK rows, read here):
- leading a region's tasks (create, assign, reopen, and anything the assignee may do) takes
  TASK add *and* change there: grid leaders, officers, commanders;
- working a task (start, complete, fail) takes TASK change there and being its assignee:
  grid workers and volunteers, or a leader who took the task themselves.
A task goes open → assigned → done or failed; reopening puts it back to assigned (or open).
Each change is one conditional UPDATE, so two phones acting on one task cannot both win.

Deliveries are also claimed from a pool: a member of the grid team takes an open task nobody
holds ("我来送"), gives it back, or loses it when it has not moved for CLAIM_HOLD.
"""

import datetime
import json
import uuid
from dataclasses import dataclass
from typing import cast

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.accounts.models import RoleAssignment
from fangyi.core import audit
from fangyi.core.bulk import (
    JSONText,
    TableWriter,
    as_uuid,
    json_object_sql,
    time_ordered_id_sql,
    time_ordered_ids,
    uuid_text_sql,
)
from fangyi.core.masking import mask_name
from fangyi.core.models import ObjectChange
from fangyi.core.permissions import ADD, CHANGE, assignments_of, can
from fangyi.people.models import Household, Person, short_address
from fangyi.regions.models import Region, ancestor_paths

from . import signals, workpages
from .area import TASK
from .models import (
    FINISHED,
    PENDING,
    POOLED_KINDS,
    TASK_TAKERS,
    ReleaseCause,
    Task,
    TaskKind,
    TaskStatus,
)

TASK_FIELDS = ["kind", "person", "household", "region", "title", "notes", "due_at", "assignee"]
MAX_TITLE = 100
MAX_TEXT = 2000
MAX_RESULT_CHARS = 4000
MAX_SOURCE = 64
BATCH = 2000
TASK_TYPE = Task._meta.label_lower
# A new task's row from create_tasks: these from the item, then its source, then the rest as
# a new task starts (open, nobody's).
NEW_TASK_COLUMNS = [
    "id",
    "kind",
    "person_id",
    "household_id",
    "region_id",
    "region_path",
    "title",
    "notes",
    "due_at",
    "source_ref",
    "created_by_id",
    "created_at",
    "updated_at",
    "result",
]
NEW_TASK_CONSTANTS: dict[str, object] = {
    "assignee_id": None,
    "status": TaskStatus.OPEN.value,
    "started_at": None,
    "done_at": None,
    "claimed_at": None,
    "released_at": None,
    "release_cause": "",
    "released_from_id": None,
    "note": "",
    "failure_reason": "",
}
NO_RESULT = JSONText("{}")
# The temporary table create_tasks writes through.
INCOMING = "fieldwork_task_incoming"
# A claim that has not moved (not started, or started and not finished) for this long goes
# back to the pool, so that a volunteer who went home does not sit on a household's food.
CLAIM_HOLD = datetime.timedelta(hours=2)
CLAIM_FIELDS = ["assignee", "status", "claimed_at", "started_at"]
RELEASE_FIELDS = [*CLAIM_FIELDS, "released_at", "release_cause", "released_from"]


class ClaimConflict(Exception):
    """The task is no longer there to claim: someone else took it first, or it was finished.
    The API answers 409 with the message; a page shows it."""


def leads(user, path: str) -> bool:
    """Whether the user may create, assign and reopen tasks at `path`."""
    return can(user, TASK, ADD, path) and can(user, TASK, CHANGE, path)


def may_work(user, task: Task) -> bool:
    """Whether the user may start, complete or fail the task."""
    if not can(user, TASK, CHANGE, task.region_path):
        return False
    return task.assignee_id == user.pk or leads(user, task.region_path)


def _require_lead(user, path: str) -> None:
    if not leads(user, path):
        raise PermissionDenied(_("只有网格长或上级干部可以在该区域安排任务。"))


def _require_work(user, task: Task) -> None:
    if not may_work(user, task):
        raise PermissionDenied(_("只有任务承办人或网格长可以办理该任务。"))


# Who can take a task


def takers(path: str):
    """Active users holding a field role over `path`: those a task there may be assigned to."""
    User = get_user_model()
    holders = RoleAssignment.objects.filter(
        role__in=TASK_TAKERS, region_path__in=ancestor_paths(path)
    ).values("user_id")
    return User.objects.filter(pk__in=holders, is_active=True).order_by("username")


def takers_for(paths) -> list:
    """Active users who may take a task at every one of `paths` or at some of them, in one
    query: the choices of one assign control for a list of tasks (the service checks each)."""
    User = get_user_model()
    above = {ancestor for path in paths for ancestor in ancestor_paths(path)}
    holders = RoleAssignment.objects.filter(role__in=TASK_TAKERS, region_path__in=above).values(
        "user_id"
    )
    return list(User.objects.filter(pk__in=holders, is_active=True).order_by("username"))


def may_take(user, path: str) -> bool:
    return (
        user is not None
        and user.is_active
        and RoleAssignment.objects.filter(
            user=user, role__in=TASK_TAKERS, region_path__in=ancestor_paths(path)
        ).exists()
    )


def _takes_here(actor, path: str) -> bool:
    """may_take for the acting user, from their assignments as this request read them
    (permissions.assignments_of): a rush of claims asks it of the same user again and again."""
    return actor.is_active and any(
        role in TASK_TAKERS and path.startswith(region) for role, region in assignments_of(actor)
    )


def _check_taker(assignee, path: str) -> None:
    if not may_take(assignee, path):
        raise ValidationError(
            {"assignee": _("该人员不能承接此任务：须是任务所在区域的网格长、网格员或志愿者。")}
        )


# Creating


@dataclass(frozen=True)
class TaskInput:
    """One task to create. `source_ref` makes creating it again a no-op (per kind and source)."""

    kind: str
    due_at: datetime.datetime | None
    person: Person | None = None
    household: Household | None = None
    title: str = ""
    notes: str = ""
    source_ref: str = ""
    # Only for locating a contact who is not registered yet: the task lives in the grid of
    # the address given, with no person or household to name.
    region: Region | None = None


def _check(item: TaskInput) -> tuple[str, dict[str, list[str]]]:
    """The region path the task lives at (its building's), and what is wrong with the item."""
    errors: dict[str, list[str]] = {}
    path = ""
    if item.person is not None:
        path = item.person.region_path
        if item.household is not None and item.person.household_id != item.household.pk:
            errors["household"] = [_("该居民不属于此户。")]
    elif item.household is not None:
        path = item.household.region_path
    elif item.region is not None and item.kind == TaskKind.LOCATE_CONTACT:
        path = item.region.path
    else:
        errors["person"] = [_("请指明任务对应的居民或户。")]
    if item.kind not in TaskKind.values:
        errors["kind"] = [_("请选择任务类型。")]
    if item.due_at is None or timezone.is_naive(item.due_at):
        errors["due_at"] = [_("请填写带时区的截止时间。")]
    if len(item.title) > MAX_TITLE:
        errors["title"] = [_("标题最多 %(max)d 个字。") % {"max": MAX_TITLE}]
    if len(item.notes) > MAX_TEXT:
        errors["notes"] = [_("说明最多 %(max)d 个字。") % {"max": MAX_TEXT}]
    if len(item.source_ref) > MAX_SOURCE:
        errors["source_ref"] = [_("来源编号最多 %(max)d 个字符。") % {"max": MAX_SOURCE}]
    return path, errors


def _region_ids(paths) -> dict[str, uuid.UUID]:
    """Buildings by path, in one query: tasks carry both, as every scoped model does."""
    return dict(Region.objects.filter(path__in=set(paths)).values_list("path", "id"))


def _new_task(item: TaskInput, *, region_id, path: str, actor, source: str, now) -> Task:
    # `_check` has refused items without a due time, and without a person or a household.
    assert item.due_at is not None
    task = Task(
        id=uuid.uuid4(),
        kind=item.kind,
        person=item.person,
        region_id=region_id,
        region_path=path,
        title=item.title.strip(),
        notes=item.notes.strip(),
        due_at=item.due_at,
        source=source,
        source_ref=item.source_ref,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
        updated_at=now,
    )
    if item.household is not None:
        task.household = item.household
    elif item.person is not None:
        task.household_id = item.person.household_id
    return task


def create_task(
    *,
    actor,
    kind: str,
    due_at,
    person: Person | None = None,
    household: Household | None = None,
    title: str = "",
    notes: str = "",
    assignee=None,
) -> Task:
    """One task made by hand, by someone who leads tasks in the person's or household's region."""
    item = TaskInput(
        kind=kind, due_at=due_at, person=person, household=household, title=title, notes=notes
    )
    path, errors = _check(item)
    if errors:
        raise ValidationError(errors)
    _require_lead(actor, path)
    task = _new_task(
        item,
        region_id=_region_ids([path])[path],
        path=path,
        actor=actor,
        source="manual",
        now=timezone.now(),
    )
    if assignee is not None:
        _check_taker(assignee, task.region_path)
        task.assignee = assignee
        task.status = TaskStatus.ASSIGNED
    with transaction.atomic():
        task.save(force_insert=True)
        audit.record_created(actor=actor, obj=task, fields=[*TASK_FIELDS, "status"])
    return task


def create_tasks(*, actor, source: str, items: list[TaskInput], authorised: bool = False) -> int:
    """Creates the tasks not created before for this source; answers how many are new.

    For other areas: screening makes home-sampling tasks for a round (`source` "screening:<round
    id>", `source_ref` the person's id), and later areas visits and deliveries. A task whose
    (kind, source, source_ref) exists is skipped, so a job may run again after a failure.
    Items without a `source_ref` are always created. One bad item refuses them all, naming its
    index ("3.person").

    `actor` is recorded as the creator. They need the right to lead tasks in each task's region,
    unless the calling area has already checked its own caller (`authorised=True`; e.g. a lab
    user whose result creates retests, or a background job with `actor=None`).
    """
    source = (source or "").strip()
    if not source or len(source) > MAX_SOURCE:
        raise ValidationError({"source": _("请用不超过 64 个字符写明任务来源。")})
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    paths: list[str] = []
    for index, item in enumerate(items):
        path, problems = _check(item)
        paths.append(path)
        for name, messages in problems.items():
            errors.setdefault(f"{index}.{name}", []).extend(messages)
        if path and not authorised and not leads(actor, path):
            raise PermissionDenied(_("您没有在该区域安排任务的权限。"))
    if errors:
        raise ValidationError(errors)
    regions = _region_ids(paths)
    created_by = actor.pk if getattr(actor, "is_authenticated", False) else None
    labels = {kind: str(label) for kind, label in TaskKind.choices}
    rows: list[tuple] = []
    # What each new task's audit row says, by the task's id.
    traces: dict[str, tuple[str, str, dict]] = {}
    seen: set[tuple[str, str]] = set()
    ids = iter(time_ordered_ids(len(items)))
    for item, path in zip(items, paths, strict=True):
        if item.source_ref:
            key = (item.kind, item.source_ref)
            if key in seen:
                continue
            seen.add(key)
        pk = next(ids)
        title, notes = item.title.strip(), item.notes.strip()
        person = item.person.pk if item.person is not None else None
        household: uuid.UUID | None = item.household.pk if item.household is not None else None
        if household is None and item.person is not None:
            household = item.person.household_id
        region = regions[path]
        # The item's due time is checked by `_check`.
        due_at = cast(datetime.datetime, item.due_at)
        row = (pk, item.kind, person, household, region, path, title, notes, due_at)
        rows.append((*row, item.source_ref, created_by, now, now, NO_RESULT))
        # What str(task) says, without building the task: the person (masked) or the
        # household's address, else the title.
        subject = item.person or item.household or title
        after = {
            "kind": item.kind,
            "person": None if person is None else str(person),
            "household": None if household is None else str(household),
            "region": str(region),
            "title": title,
            "notes": notes,
            "due_at": due_at.isoformat(),
            "assignee": None,
            "source": source,
            "source_ref": item.source_ref,
        }
        traces[pk] = (f"{labels[item.kind]} {subject}", path, after)
    with transaction.atomic():
        created = _insert_new(rows, source)
        changes = audit.BulkChanges(actor=actor, time=now)
        for pk in created:
            object_repr, path, after = traces[pk]
            changes.add(
                object_type=TASK_TYPE,
                object_id=pk,
                object_repr=object_repr,
                region_path=path,
                action=ObjectChange.CREATE,
                before=None,
                after=after,
            )
        changes.flush()
    return len(created)


def create_household_tasks(
    *,
    actor,
    source: str,
    kind: str,
    due_at: datetime.datetime,
    title: str,
    households,
    authorised: bool = False,
) -> int:
    """A task of `kind` for each household of the queryset `households` that has none of this
    kind and source yet (`source_ref` the household's id), made by the database in one
    INSERT … SELECT, with its audit row (one per task, as `create_tasks` writes) in a second:
    for a sweep of a city, where reading 390,000 households into Python to build the same
    rows cost more than writing them. Answers how many are new. Permission as `create_tasks`:
    the right to lead tasks in each household's building, unless `authorised`."""
    source = (source or "").strip()
    errors: dict[str, list[str]] = {}
    if not source or len(source) > MAX_SOURCE:
        errors["source"] = [_("请用不超过 64 个字符写明任务来源。")]
    if kind not in TaskKind.values:
        errors["kind"] = [_("请选择任务类型。")]
    if due_at is None or timezone.is_naive(due_at):
        errors["due_at"] = [_("请填写带时区的截止时间。")]
    title = (title or "").strip()
    if len(title) > MAX_TITLE:
        errors["title"] = [_("标题最多 %(max)d 个字。") % {"max": MAX_TITLE}]
    if errors:
        raise ValidationError(errors)
    if not authorised:
        for path in households.order_by().values_list("region_path", flat=True).distinct():
            if not leads(actor, path):
                raise PermissionDenied(_("您没有在该区域安排任务的权限。"))
    now = timezone.now()
    by_attname = {f.attname: f for f in Task._meta.concrete_fields}
    from_item: dict[str, object] = {
        "kind": kind,
        "person_id": None,
        "title": title,
        "notes": "",
        "due_at": due_at,
        "source": source,
        "created_by_id": actor.pk if getattr(actor, "is_authenticated", False) else None,
        "created_at": now,
        "updated_at": now,
        "result": {},
    }
    constants = from_item | NEW_TASK_CONSTANTS
    values = [by_attname[name].get_db_prep_save(v, connection) for name, v in constants.items()]
    subjects, subject_params = households.order_by().values("pk").query.sql_with_params()
    new_id, id_params = time_ordered_id_sql("h.region_path, h.id")
    quote = connection.ops.quote_name
    table, households_table = quote(Task._meta.db_table), quote(Household._meta.db_table)
    columns = ["id", *constants, "household_id", "region_id", "region_path", "source_ref"]
    # The unit's words around the unit number, as `short_address` writes them.
    before_unit, after_unit = short_address("", "\x00", "").split("\x00")
    placeholders = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)})"
            f" SELECT {new_id}, {placeholders}, h.id, h.building_id, h.region_path,"
            f" {uuid_text_sql('h.id')} FROM {households_table} h WHERE h.id IN ({subjects})"
            " ORDER BY h.region_path, h.id ON CONFLICT DO NOTHING",
            [*id_params, *values, *subject_params],
        )
        created = cursor.rowcount
    if not created:
        return 0
    # The tasks this call made: its source and kind, made at its `now`.
    after = json_object_sql(
        {
            "kind": "t.kind",
            "person": "NULL",
            "household": uuid_text_sql("t.household_id"),
            "region": uuid_text_sql("t.region_id"),
            "title": "t.title",
            "notes": "t.notes",
            "due_at": "%s",
            "assignee": "NULL",
            "source": "t.source",
            "source_ref": "t.source_ref",
        }
    )
    regions_table = quote(Region._meta.db_table)
    label = str(TaskKind(kind).label)
    audit.record_created_from(
        actor=actor,
        object_type=TASK_TYPE,
        select=(
            f"SELECT {uuid_text_sql('t.id')} AS object_id, %s || ' ' || b.name"
            " || CASE WHEN h.unit = '' THEN '' ELSE %s || h.unit || %s END || h.room"
            f" AS object_repr, t.region_path AS region_path, {after} AS after"
            f" FROM {table} t JOIN {households_table} h ON h.id = t.household_id"
            f" JOIN {regions_table} b ON b.id = h.building_id"
            " WHERE t.kind = %s AND t.source = %s AND t.source_ref <> '' AND t.created_at = %s"
        ),
        params=[
            label,
            before_unit,
            after_unit,
            due_at.isoformat(),
            kind,
            source,
            by_attname["created_at"].get_db_prep_save(now, connection),
        ],
        time=now,
    )
    return created


def _insert_new(rows: list[tuple], source: str) -> list[str]:
    """Writes the rows (NEW_TASK_COLUMNS, all of `source`) to a temporary table, then on to
    the tasks in one INSERT … SELECT that skips a (kind, source, source_ref) already there,
    even one another run of the same job inserted since (ON CONFLICT DO NOTHING waits for
    it); answers the ids of the tasks inserted, as text. One statement decides: asking first
    which refs exist and checking after what was really inserted took round trips per
    thousands of rows, and bulk_create's INSERTs were interpolated by the driver."""
    if not rows:
        return []
    writer = TableWriter(
        Task, NEW_TASK_COLUMNS, NEW_TASK_CONSTANTS | {"source": source}, table=INCOMING
    )
    table = connection.ops.quote_name(Task._meta.db_table)
    incoming = connection.ops.quote_name(INCOMING)
    returning = connection.ops.quote_name("id")
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(f"CREATE TEMP TABLE {incoming} AS SELECT * FROM {table} WHERE 0")
            writer.write(rows)
            # The WHERE makes SQLite read ON CONFLICT as the INSERT's, not the SELECT's join.
            cursor.execute(
                f"INSERT INTO {table} ({writer.column_list}) SELECT {writer.column_list} "
                f"FROM {incoming} WHERE 1 = 1 ON CONFLICT DO NOTHING RETURNING {returning}"
            )
            inserted = [str(as_uuid(pk)) for (pk,) in cursor.fetchall()]
            cursor.execute(f"DROP TABLE {incoming}")
            return inserted
        # Kept for the session: creating and dropping a table per call is catalogue work the
        # size of the insert itself. Emptied by the statement that moves its rows on (or by
        # the rollback of a failed call).
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {incoming} (LIKE {table})")
        writer.write(rows)
        cursor.execute(
            f"WITH moved AS (DELETE FROM {incoming} RETURNING *) "
            f"INSERT INTO {table} ({writer.column_list}) SELECT {writer.column_list} FROM moved "
            f"ON CONFLICT DO NOTHING RETURNING {returning}"
        )
        inserted = [str(pk) for (pk,) in cursor.fetchall()]
    return inserted


# Changing


def _transition(*, actor, task: Task, allowed: tuple, changes: dict, extra: dict | None = None):
    """Applies `changes` if the task is still in one of the `allowed` states, and audits it."""
    names = list(changes)
    before = audit.snapshot(task, names)
    changes = {**changes, "updated_at": timezone.now()}
    with transaction.atomic():
        updated = Task.objects.filter(pk=task.pk, status__in=allowed).update(**changes)
        if not updated:
            raise ValidationError({"status": _("该任务已被他人处理，请刷新后再看。")})
        for name, value in changes.items():
            setattr(task, name, value)
        audit.record_updated(
            actor=actor, obj=task, before=before, after=audit.snapshot(task, names) | (extra or {})
        )
        if changes.get("status") in FINISHED:
            signals.announce_finished(
                task_id=task.pk,
                kind=task.kind,
                source=task.source,
                source_ref=task.source_ref,
                status=task.status,
                note=task.note or task.failure_reason,
            )
    return task


def assign(*, actor, task: Task, assignee) -> Task:
    """Gives a pending task to a member of its region's grid team (or moves it to another)."""
    _require_lead(actor, task.region_path)
    if task.status not in PENDING:
        raise ValidationError({"status": _("该任务已办结，请先重新打开再分派。")})
    if assignee is None:
        raise ValidationError({"assignee": _("请选择承办人。")})
    _check_taker(assignee, task.region_path)
    if task.assignee_id == assignee.pk:
        return task
    changes: dict[str, object] = {
        "assignee": assignee,
        "status": TaskStatus.ASSIGNED,
        "started_at": None,
    }
    if task.claimed_at is not None:
        # Given by a leader, it is no longer a claim that the sweep may take back.
        changes["claimed_at"] = None
    return _transition(actor=actor, task=task, allowed=PENDING, changes=changes)


def assign_many(*, actor, tasks: list[Task], assignee) -> int:
    """Gives several pending tasks to one member of their regions' grid teams: all or none.

    Every task is checked as `assign` checks one (the actor leads its region, it is pending,
    the assignee may take it there) before any is changed; each change is audited. Answers how
    many tasks changed hands (those already with the assignee are left as they are)."""
    if not tasks:
        raise ValidationError({"tasks": _("请先选择任务。")})
    if assignee is None:
        raise ValidationError({"assignee": _("请选择承办人。")})
    for path in {task.region_path for task in tasks}:
        _require_lead(actor, path)
        _check_taker(assignee, path)
    if any(task.status not in PENDING for task in tasks):
        raise ValidationError({"status": _("所选任务中有已办结的，请先重新打开再分派。")})
    changed = 0
    with transaction.atomic():
        for task in tasks:
            if task.assignee_id != assignee.pk:
                assign(actor=actor, task=task, assignee=assignee)
                changed += 1
    return changed


def start(*, actor, task: Task) -> Task:
    """The assignee says they are on their way; leaders see the task is in hand."""
    _require_work(actor, task)
    if task.status != TaskStatus.ASSIGNED:
        raise ValidationError({"status": _("只有已分派的任务可以开始办理。")})
    if task.started_at is not None:
        return task
    changes = {"started_at": timezone.now()}
    return _transition(actor=actor, task=task, allowed=(TaskStatus.ASSIGNED,), changes=changes)


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _check_result(result) -> dict:
    if result is None:
        return {}
    if not isinstance(result, dict):
        raise ValidationError({"result": _("结果应为对象。")})
    try:
        text = json.dumps(result, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"result": _("结果须为 JSON 对象。")}) from exc
    if len(text) > MAX_RESULT_CHARS:
        raise ValidationError({"result": _("结果内容过长。")})
    if _holds_nul(result):
        # PostgreSQL cannot store NUL in JSON either.
        raise ValidationError({"result": _("不能包含空字符（\\0）。")})
    return result


def complete(
    *, actor, task: Task, note: str = "", result: dict | None = None, authorised: bool = False
) -> Task:
    """Done: `note` is what the worker writes; `result` what the creating area asked for.

    `authorised=True`: the area that created the task has checked its own caller, who settled
    what the task was for (an investigator who linked the contact a grid team was to locate).
    """
    if not authorised:
        _require_work(actor, task)
        if workpages.owned(task):
            raise ValidationError({"status": _("该任务须在其办理页面完成。")})
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise ValidationError({"note": _("办理情况最多 %(max)d 个字。") % {"max": MAX_TEXT}})
    result = _check_result(result)
    if task.status not in PENDING:
        raise ValidationError({"status": _("该任务已办结。")})
    changes = {
        "status": TaskStatus.DONE,
        "done_at": timezone.now(),
        "note": note,
        "result": result,
        "failure_reason": "",
    }
    return _transition(actor=actor, task=task, allowed=PENDING, changes=changes)


def fail(*, actor, task: Task, reason: str, authorised: bool = False) -> Task:
    """Could not be done (not at home, refused, …): the reason is required. `authorised` as
    for `complete` (the creating area withdrew what the task was for)."""
    if not authorised:
        _require_work(actor, task)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明未能完成的原因。")})
    if len(reason) > MAX_TEXT:
        raise ValidationError({"reason": _("原因最多 %(max)d 个字。") % {"max": MAX_TEXT}})
    if task.status not in PENDING:
        raise ValidationError({"status": _("该任务已办结。")})
    changes = {
        "status": TaskStatus.FAILED,
        "done_at": timezone.now(),
        "failure_reason": reason,
        "note": "",
        "result": {},
    }
    return _transition(actor=actor, task=task, allowed=PENDING, changes=changes)


FINISH_FIELDS = ["status", "done_at", "note", "result", "failure_reason"]
# What str(task) names, read with the task's row instead of building the task.
SUBJECT_COLUMNS = [
    "person_id",
    "person__name",
    "household_id",
    "household__building__name",
    "household__unit",
    "household__room",
    "title",
]


def _subject(person_id, name, household_id, building, unit, room, title) -> str:
    """What str(task) says after its kind: the person (masked) or the household's address,
    else the title."""
    if person_id is not None:
        return mask_name(name)
    if household_id is not None:
        return short_address(building, unit, room)
    return title


def _finish_many(*, actor, pending, changes: dict, count: int | None = None) -> int:
    """Finishes the tasks of the queryset `pending` that are still pending, in one UPDATE and
    one bulk audit write, each task's audit row and `task_finished` signal what finishing it
    alone gives. The rows are read once, as values (no task is built: a sweep finishes
    hundreds an upload), and each must still be pending when the UPDATE runs, else none is
    finished (as `_transition`, "handled by someone else"); so must `count` of them, when
    given."""
    changes = {**changes, "updated_at": timezone.now()}
    names = [name for name in FINISH_FIELDS if name in changes]
    with transaction.atomic():
        rows = list(
            pending.filter(status__in=PENDING).values_list(
                "pk", "kind", "source", "source_ref", "region_path", *names, *SUBJECT_COLUMNS
            )
        )
        if not rows and not count:
            return 0
        updated = Task.objects.filter(pk__in=[row[0] for row in rows], status__in=PENDING).update(
            **changes
        )
        if updated != len(rows) or (count is not None and updated != count):
            raise ValidationError({"status": _("该任务已被他人处理，请刷新后再看。")})
        labels = {kind: str(label) for kind, label in TaskKind.choices}
        # The same for every task: encoded once.
        after = JSONText(
            json.dumps(
                {name: audit.json_value(changes[name]) for name in names}, ensure_ascii=False
            )
        )
        note = changes.get("note") or changes.get("failure_reason", "")
        audited = audit.BulkChanges(actor=actor, time=changes["updated_at"])
        finished = []
        for pk, kind, source, source_ref, path, *values in rows:
            was, subject = values[: len(names)], values[len(names) :]
            audited.add(
                object_type=TASK_TYPE,
                object_id=pk,
                object_repr=f"{labels.get(kind, kind)} {_subject(*subject)}",
                region_path=path,
                action=ObjectChange.UPDATE,
                before={
                    name: audit.json_value(value) for name, value in zip(names, was, strict=True)
                },
                after=after,
            )
            finished.append(signals.Finished(pk, kind, source, source_ref, changes["status"], note))
        audited.flush()
        signals.announce_finished_many(finished)
    return len(rows)


def _completion(note: str) -> dict:
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise ValidationError({"note": _("办理情况最多 %(max)d 个字。") % {"max": MAX_TEXT}})
    return {
        "status": TaskStatus.DONE,
        "done_at": timezone.now(),
        "note": note,
        "result": {},
        "failure_reason": "",
    }


def _failure(reason: str) -> dict:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明未能完成的原因。")})
    if len(reason) > MAX_TEXT:
        raise ValidationError({"reason": _("原因最多 %(max)d 个字。") % {"max": MAX_TEXT}})
    return {
        "status": TaskStatus.FAILED,
        "done_at": timezone.now(),
        "failure_reason": reason,
        "note": "",
        "result": {},
    }


def _finish_given(*, actor, tasks: list[Task], changes: dict) -> int:
    """`_finish_many` of tasks in hand: all must be pending; the caller's objects show the
    change, as `_transition` leaves them."""
    if not tasks:
        return 0
    if any(task.status not in PENDING for task in tasks):
        raise ValidationError({"status": _("该任务已办结。")})
    finished = _finish_many(
        actor=actor,
        pending=Task.objects.filter(pk__in=[task.pk for task in tasks]),
        changes=changes,
        count=len(tasks),
    )
    for task in tasks:
        for name, value in changes.items():
            setattr(task, name, value)
    return finished


def complete_many(*, actor, tasks: list[Task], note: str = "") -> int:
    """Completes many tasks at once for the area that created them and has checked its own
    caller (as `complete(authorised=True)`). Answers how many were completed."""
    return _finish_given(actor=actor, tasks=tasks, changes=_completion(note))


def fail_many(*, actor, tasks: list[Task], reason: str) -> int:
    """Fails many tasks at once with one reason, for the area that created them (as
    `fail(authorised=True)`)."""
    return _finish_given(actor=actor, tasks=tasks, changes=_failure(reason))


def complete_by_ref(*, actor, source: str, kind: str, refs, note: str = "") -> int:
    """Completes the pending tasks of `kind` that `source` made for these `source_ref`s, as
    `complete_many` completes them, for the area that created them and has checked its own
    caller: a sweep's visit tasks by household, without reading them first. Those no longer
    pending are left as they are; answers how many were completed."""
    return _finish_many(
        actor=actor,
        pending=Task.objects.filter(source=source, kind=kind, source_ref__in=list(refs)),
        changes=_completion(note),
    )


def fail_by_ref(*, actor, source: str, kind: str, refs, reason: str) -> int:
    """Fails the pending tasks of `kind` that `source` made for these `source_ref`s with one
    reason, as `fail_many` fails them."""
    return _finish_many(
        actor=actor,
        pending=Task.objects.filter(source=source, kind=kind, source_ref__in=list(refs)),
        changes=_failure(reason),
    )


def reopen(*, actor, task: Task, reason: str = "") -> Task:
    """A leader sends a finished task back; the earlier outcome stays in the audit trail."""
    _require_lead(actor, task.region_path)
    if task.status not in FINISHED:
        raise ValidationError({"status": _("只有已办结的任务可以重新打开。")})
    reason = (reason or "").strip()
    if len(reason) > MAX_TEXT:
        raise ValidationError({"reason": _("原因最多 %(max)d 个字。") % {"max": MAX_TEXT}})
    assigned = task.assignee_id is not None and may_take(task.assignee, task.region_path)
    changes: dict[str, object] = {
        "status": TaskStatus.ASSIGNED if assigned else TaskStatus.OPEN,
        "assignee": task.assignee if assigned else None,
        "started_at": None,
        "done_at": None,
        "note": "",
        "failure_reason": "",
        "result": {},
    }
    if task.claimed_at is not None:
        changes["claimed_at"] = None
    extra = {"reason": reason} if reason else None
    return _transition(actor=actor, task=task, allowed=FINISHED, changes=changes, extra=extra)


# The pool: claiming and giving back


def may_claim(user, task: Task) -> bool:
    """Whether the user is on the grid team where this pooled task lives."""
    return (
        task.kind in POOLED_KINDS
        and can(user, TASK, CHANGE, task.region_path)
        and _takes_here(user, task.region_path)
    )


def claim(*, actor, task: Task) -> Task:
    """我来送: the actor takes an open task nobody holds. One conditional UPDATE decides
    between people claiming at the same moment: the row is changed only while it is still
    open and unassigned, so exactly one of them changes it and the others get ClaimConflict.
    Claiming a task one already holds (a second tap) changes nothing."""
    if not may_claim(actor, task):
        raise PermissionDenied(_("只有任务所在网格的网格员或志愿者可以认领。"))
    # Most taps in a rush come after someone else's: what the caller just read already says
    # so, and the update below stays the only judge of a task read as open.
    if task.status != TaskStatus.OPEN or task.assignee_id is not None:
        return _claimed_already(actor, task.status, task.assignee_id, task)
    now = timezone.now()
    before = audit.snapshot(task, CLAIM_FIELDS)
    changes = {
        "assignee_id": actor.pk,
        "status": TaskStatus.ASSIGNED,
        "claimed_at": now,
        "started_at": None,
        "updated_at": now,
    }
    with transaction.atomic():
        won = Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN, assignee__isnull=True).update(
            **changes
        )
        if not won:
            current = Task.objects.filter(pk=task.pk).values("status", "assignee_id").first()
            if current is None:
                raise ClaimConflict(_("手慢了：该任务已被他人认领。"))
            task.refresh_from_db()
            return _claimed_already(actor, current["status"], current["assignee_id"], task)
        for name, value in changes.items():
            setattr(task, name, value)
        audit.record_updated(
            actor=actor, obj=task, before=before, after=audit.snapshot(task, CLAIM_FIELDS)
        )
    return task


def _claimed_already(actor, status: str, assignee_id, task: Task) -> Task:
    """A tap on a task that is not open: the actor's own (a second tap changes nothing), done,
    or someone else's."""
    if assignee_id == actor.pk and status in PENDING:
        return task
    if status in FINISHED:
        raise ClaimConflict(_("该任务已办结。"))
    raise ClaimConflict(_("手慢了：该任务已被他人认领。"))


def _released(cause: str, holder_id, now) -> dict:
    return {
        "assignee_id": None,
        "status": TaskStatus.OPEN,
        "claimed_at": None,
        "started_at": None,
        "released_at": now,
        "release_cause": cause,
        "released_from_id": holder_id,
        "updated_at": now,
    }


def unclaim(*, actor, task: Task) -> Task:
    """The claimer cannot go after all: the task returns to the pool, saying who gave it back."""
    if task.assignee_id != actor.pk or not can(actor, TASK, CHANGE, task.region_path):
        raise PermissionDenied(_("只有认领人可以退回该任务。"))
    if task.claimed_at is None:
        raise ValidationError({"status": _("该任务是网格长分派给您的，请联系网格长改派。")})
    now = timezone.now()
    before = audit.snapshot(task, RELEASE_FIELDS)
    changes = _released(ReleaseCause.GIVEN_BACK, actor.pk, now)
    with transaction.atomic():
        updated = Task.objects.filter(
            pk=task.pk, assignee=actor, status=TaskStatus.ASSIGNED, claimed_at__isnull=False
        ).update(**changes)
        if not updated:
            raise ValidationError({"status": _("该任务已不在您手上，请刷新后再看。")})
        for name, value in changes.items():
            setattr(task, name, value)
        audit.record_updated(
            actor=actor, obj=task, before=before, after=audit.snapshot(task, RELEASE_FIELDS)
        )
    return task


def _stale(cutoff):
    return Task.objects.filter(
        status=TaskStatus.ASSIGNED, claimed_at__isnull=False, claimed_at__lte=cutoff
    ).filter(Q(started_at__isnull=True) | Q(started_at__lte=cutoff))


def release_stale_claims(*, now=None) -> int:
    """Claims that have not moved for CLAIM_HOLD (claimed, or last started, that long ago and
    not finished) go back to the pool, each recording why and from whom; answers how many.

    For the periodic job, so no user acts and no permission is checked. Rows are locked as
    they are read and the condition is checked again under the lock, so a claimer who starts
    or finishes the task at this moment keeps it; rows another transaction holds are left to
    the next run."""
    now = now or timezone.now()
    cutoff = now - CLAIM_HOLD
    released = 0
    while True:
        with transaction.atomic():
            tasks = list(
                _stale(cutoff)
                .select_related("person", "household")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("claimed_at", "id")[:BATCH]
            )
            if not tasks:
                return released
            Task.objects.filter(pk__in=[task.pk for task in tasks]).update(
                **_released(ReleaseCause.STALE, None, now) | {"released_from_id": F("assignee_id")}
            )
            changes = audit.BulkChanges(actor=None, time=now)
            for task in tasks:
                before = audit.snapshot(task, RELEASE_FIELDS)
                for name, value in _released(ReleaseCause.STALE, task.assignee_id, now).items():
                    setattr(task, name, value)
                changes.add(
                    object_type=Task._meta.label_lower,
                    object_id=task.pk,
                    object_repr=str(task),
                    region_path=task.region_path,
                    action=ObjectChange.UPDATE,
                    before=before,
                    after=audit.snapshot(task, RELEASE_FIELDS),
                )
            changes.flush()
            released += len(tasks)
        if len(tasks) < BATCH:
            return released
