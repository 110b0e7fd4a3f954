"""What services call to leave a trace. Bulk operations write one row per object, in bulk."""

import datetime
import decimal
import uuid
from collections.abc import Iterable

from django.db import models
from django.utils import timezone

from .context import current
from .models import AccessEvent, ObjectChange


def json_value(value):
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


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)
        data[name] = json_value(value)
    return data


def actor_fields(actor) -> dict:
    ctx = current()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return {
        "actor": actor if authenticated else None,
        "actor_name": actor.get_username() if authenticated else ctx.via,
        "request_id": ctx.request_id,
        "ip": ctx.ip,
        "via": ctx.via,
    }


def change_row(
    *,
    actor,
    action: str,
    obj,
    before: dict | None,
    after: dict | None,
    region_path: str = "",
    time=None,
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


def record_change(**kwargs) -> ObjectChange:
    row = change_row(**kwargs)
    row.save(force_insert=True)
    return row


def _scope_path(obj) -> str:
    field = getattr(obj, "scope_path_field", None)
    return getattr(obj, field) if field else ""


def record_created(*, actor, obj, fields: Iterable[str]) -> ObjectChange:
    return record_change(
        actor=actor,
        action=ObjectChange.CREATE,
        obj=obj,
        before=None,
        after=snapshot(obj, fields),
        region_path=_scope_path(obj),
    )


def record_updated(*, actor, obj, before: dict, after: dict) -> ObjectChange:
    return record_change(
        actor=actor,
        action=ObjectChange.UPDATE,
        obj=obj,
        before=before,
        after=after,
        region_path=_scope_path(obj),
    )


def record_changes(rows: list[ObjectChange], batch_size: int = 2000) -> None:
    ObjectChange.objects.bulk_create(rows, batch_size=batch_size)


def record_access(*, actor, kind: str, obj, reason: str, fields: list[str]) -> AccessEvent:
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
