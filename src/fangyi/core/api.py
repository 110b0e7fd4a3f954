"""The audit trail's API, and what every area's API shares: lookups by opaque id, cursor pages.

Audit rows are listed newest first. A caller sees the rows recorded under the regions where
they may view the audit trail (`ObjectChange.objects.restrict(user, "view")`); roles without
that right get empty lists.
"""

import datetime
import uuid
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Field as ModelField
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from .models import AccessEvent, AuditRow, ObjectChange
from .pagination import InvalidCursor, decode_cursor, keyset_page
from .permissions import VIEW, RoleHolder
from .schemas import ERROR_RESPONSES, PageParams

if TYPE_CHECKING:
    from django.db.models import Model

NEWEST_FIRST = ("-time", "-id")


class ApiRequest(HttpRequest):
    """What an API handler receives: ninja sets `auth` to what `api_auth` accepted."""

    auth: RoleHolder


def get_by_id[M: "Model"](queryset: QuerySet[M], raw_id: str) -> M:
    """The object with this UUID in `queryset`; a malformed id is as unknown as a missing one."""
    try:
        pk = uuid.UUID(raw_id)
    except ValueError as exc:
        raise Http404 from exc
    return queryset.get(pk=pk)


def page_of[M: "Model"](
    queryset: QuerySet[M], *, ordering: tuple[str, ...], page: PageParams
) -> tuple[list[M], str | None]:
    """(rows, next_cursor); a cursor whose values do not fit the ordering's fields is refused."""
    if page.cursor:
        values = decode_cursor(page.cursor, len(ordering))
        for name, value in zip(ordering, values, strict=True):
            field = queryset.model._meta.get_field(name.lstrip("-"))
            # Orderings name the model's own columns, never a reverse relation.
            assert isinstance(field, ModelField)
            try:
                field.to_python(value)
            except (ValidationError, TypeError, ValueError) as exc:
                raise InvalidCursor("cursor is not one this server issued") from exc
    return keyset_page(queryset, ordering=ordering, cursor=page.cursor, size=page.limit)


router = Router(tags=["audit"])


class AuditParams(PageParams):
    object_id: str | None = Field(None, description="the id of the changed or read object")
    actor: str | None = Field(None, description="the username of who acted")
    since: datetime.datetime | None = Field(None, description="from this time, inclusive")
    until: datetime.datetime | None = Field(None, description="up to this time, exclusive")

    @field_validator("since", "until")
    @classmethod
    def _aware(cls, moment: datetime.datetime | None) -> datetime.datetime | None:
        """A time given without an offset is read in the server's time zone."""
        if moment is None:
            return None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        try:
            # Given to the database in UTC: PostgreSQL refuses offsets past ±15:59 that
            # Python accepts (-16:28), and year 1 at +08:00 has no UTC equivalent.
            return moment.astimezone(datetime.UTC)
        except OverflowError as exc:
            raise PydanticCustomError("datetime_range", _("时间超出范围。")) from exc


class AccessParams(AuditParams):
    kind: Literal["reveal", "export"] | None = None


def filter_audit[R: AuditRow](queryset: QuerySet[R], params: AuditParams) -> QuerySet[R]:
    if params.object_id:
        queryset = queryset.filter(object_id=params.object_id)
    if params.actor:
        queryset = queryset.filter(actor_name=params.actor)
    if params.since:
        queryset = queryset.filter(time__gte=params.since)
    if params.until:
        queryset = queryset.filter(time__lt=params.until)
    return queryset


class AuditRowRead(Schema):
    id: uuid.UUID
    time: datetime.datetime
    actor: str = Field(description="username at the time, or what acted (system, import)")
    via: str
    request_id: str
    ip: str | None
    object_type: str
    object_id: str
    object_repr: str
    region_path: str

    @staticmethod
    def resolve_actor(row: ObjectChange | AccessEvent) -> str:
        return row.actor_name


class ObjectChangeRead(AuditRowRead):
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    changed_fields: list[str]

    @staticmethod
    def resolve_changed_fields(change: ObjectChange) -> list[str]:
        return change.changed_fields()


class AccessEventRead(AuditRowRead):
    kind: str
    fields: list[str]
    reason: str


class ObjectChangePage(Schema):
    items: list[ObjectChangeRead]
    next_cursor: str | None


class AccessEventPage(Schema):
    items: list[AccessEventRead]
    next_cursor: str | None


@router.get("/changes", response={200: ObjectChangePage, **ERROR_RESPONSES})
def list_changes(request: ApiRequest, params: Query[AuditParams]) -> dict[str, object]:
    """Recorded changes (create, update, delete), newest first."""
    changes = filter_audit(ObjectChange.objects.restrict(request.auth, VIEW), params)
    items, next_cursor = page_of(changes, ordering=NEWEST_FIRST, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/access", response={200: AccessEventPage, **ERROR_RESPONSES})
def list_access(request: ApiRequest, params: Query[AccessParams]) -> dict[str, object]:
    """Sensitive reads (plain-text reveals, exports), newest first."""
    events = filter_audit(AccessEvent.objects.restrict(request.auth, VIEW), params)
    if params.kind:
        events = events.filter(kind=params.kind)
    items, next_cursor = page_of(events, ordering=NEWEST_FIRST, page=params)
    return {"items": items, "next_cursor": next_cursor}
