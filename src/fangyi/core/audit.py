"""What services call to leave a trace. Bulk operations write one row per object, in bulk."""

import datetime
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, models
from django.utils import timezone

from .bulk import JSONText, TableWriter, time_ordered_id_sql, time_ordered_ids
from .context import current
from .models import AccessEvent, ObjectChange
from .permissions import Actor

# What an audit row keeps before and after a change, as JSON.
Snapshot = Mapping[str, object]


def json_value(value: object) -> object:
    """A field value as audit rows keep it in JSON."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, object]:
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        # Only fields of the object's own row are snapshotted, never a reverse relation.
        assert isinstance(field, models.Field), name
        value = getattr(obj, field.attname)
        data[name] = json_value(value)
    return data


def actor_fields(actor: Actor) -> dict[str, Any]:
    ctx = current()
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return {
        "actor": user,
        "actor_name": user.get_username() if user is not None else ctx.via,
        "request_id": ctx.request_id,
        "ip": ctx.ip,
        "via": ctx.via,
    }


def change_row(
    *,
    actor: Actor,
    action: str,
    obj: models.Model,
    before: Snapshot | None,
    after: Snapshot | None,
    region_path: str = "",
    time: datetime.datetime | None = None,
) -> ObjectChange:
    return ObjectChange(
        time=time or timezone.now(),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        region_path=region_path,
        before=before,
        after=after,
        **actor_fields(actor),
    )


def record_change(**kwargs: Any) -> ObjectChange:
    row = change_row(**kwargs)
    row.save(force_insert=True)
    return row


def _scope_path(obj: models.Model) -> str:
    field = getattr(obj, "scope_path_field", None)
    return getattr(obj, field) if field else ""


def record_created(*, actor: Actor, obj: models.Model, fields: Iterable[str]) -> ObjectChange:
    return record_change(
        actor=actor,
        action=ObjectChange.CREATE,
        obj=obj,
        before=None,
        after=snapshot(obj, fields),
        region_path=_scope_path(obj),
    )


def record_updated(
    *, actor: Actor, obj: models.Model, before: Snapshot, after: Snapshot
) -> ObjectChange:
    return record_change(
        actor=actor,
        action=ObjectChange.UPDATE,
        obj=obj,
        before=before,
        after=after,
        region_path=_scope_path(obj),
    )


class BulkChanges:
    """The one writer of audit rows in bulk: collects one ObjectChange per object changed by
    one actor at one time and appends them through core.bulk (COPY on PostgreSQL).

    Rows are written in region order with time-ordered ids, so that they append to the
    (region, time) and primary-key indexes. `before` and `after` may be dicts or
    `core.bulk.JSONText` already encoded (a million rows encode a few shapes each once).
    """

    COLUMNS = [
        "id",
        "object_type",
        "object_id",
        "object_repr",
        "region_path",
        "action",
        "before",
        "after",
    ]

    def __init__(self, *, actor: Actor, time: datetime.datetime | None = None) -> None:
        who = actor_fields(actor)
        actor_obj = who.pop("actor")
        moment = time or timezone.now()
        self.shared = {
            # Repeated on every row: as text, COPY takes it without a conversion per row.
            "time": moment.isoformat() if connection.vendor == "postgresql" else moment,
            "actor_id": str(actor_obj.pk) if actor_obj is not None else None,
            **who,
        }
        self.rows: list[tuple[str, str, str, str, str, object, object]] = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(
        self,
        *,
        object_type: str,
        object_id: object,
        object_repr: str,
        region_path: str,
        action: str,
        before: Snapshot | JSONText | None,
        after: Snapshot | JSONText | None,
    ) -> None:
        self.rows.append(
            (object_type, str(object_id), object_repr[:200], region_path, action, before, after)
        )

    def flush(self) -> None:
        if not self.rows:
            return
        self.rows.sort(key=lambda row: row[3])
        ids = time_ordered_ids(len(self.rows))
        TableWriter(ObjectChange, self.COLUMNS, self.shared).write(
            [(pk, *row) for pk, row in zip(ids, self.rows, strict=True)]
        )
        self.rows = []


def record_created_from(
    *,
    actor: Actor,
    object_type: str,
    select: str,
    params: list[Any],
    time: datetime.datetime | None = None,
) -> int:
    """One CREATE row per row of `select`, written by the database in one INSERT … SELECT:
    for writers that create their rows in SQL by the hundred thousand, where reading them back
    to build `BulkChanges` rows would cost more than creating them. `select` yields the
    columns object_id (text), object_repr, region_path and after (JSON, built in SQL as
    `core.bulk.json_object_sql` does); rows are written in region order with time-ordered ids,
    as BulkChanges writes them. Answers how many rows were written."""
    who = actor_fields(actor)
    actor_obj = who.pop("actor")
    columns = ["id", "time", "actor_id", *who, "object_type", "action", "before"]
    columns += ["object_id", "object_repr", "region_path", "after"]
    by_attname = {f.attname: f for f in ObjectChange._meta.concrete_fields}
    shared = {
        "time": time or timezone.now(),
        "actor_id": actor_obj.pk if actor_obj is not None else None,
        **who,
        "object_type": object_type,
        "action": ObjectChange.CREATE,
    }
    values = [
        by_attname[name].get_db_prep_save(value, connection) for name, value in shared.items()
    ]
    new_id, id_params = time_ordered_id_sql("s.region_path, s.object_id")
    quoted = ", ".join(connection.ops.quote_name(name) for name in columns)
    table = connection.ops.quote_name(ObjectChange._meta.db_table)
    placeholders = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quoted}) SELECT {new_id}, {placeholders}, NULL,"
            " s.object_id, substr(s.object_repr, 1, 200), s.region_path, s.after"
            f" FROM ({select}) s ORDER BY s.region_path, s.object_id",
            [*id_params, *values, *params],
        )
        return int(cursor.rowcount)


def record_access(
    *, actor: Actor, kind: str, obj: models.Model, reason: str, fields: list[str]
) -> AccessEvent:
    event = AccessEvent(
        kind=kind,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        region_path=_scope_path(obj),
        fields=list(fields),
        reason=reason,
        **actor_fields(actor),
    )
    event.save(force_insert=True)
    return event
