"""Schemas every area's API shares: error bodies, times and the paging parameters."""

import datetime
import json
import math
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Detail(Schema):
    detail: str


class FieldError(Schema):
    field: str | None = Field(description="the input that is wrong; null when it is the whole")
    message: str


class ValidationDetail(Schema):
    detail: list[FieldError]


ERROR_RESPONSES = {401: Detail, 403: Detail, 404: Detail, 422: ValidationDetail}


def without_nul[T](value: T) -> T:
    # PostgreSQL cannot store or even compare text holding NUL: refuse it at the door.
    if isinstance(value, str) and "\x00" in value:
        raise PydanticCustomError("nul_character", _("不能包含空字符（\\0）。"))
    return value


Text = Annotated[str, AfterValidator(without_nul)]

# Free JSON (a fact's details, a task's result) is a few named values, never a document:
# SQLite's JSON functions give up past 1,000 levels, and megabytes in one record slow every
# page that shows it.
FREE_JSON_MAX_DEPTH = 10
FREE_JSON_MAX_BYTES = 16 * 1024


def storable_json[T](value: T) -> T:
    """Refuses free JSON a column should not hold: deeper than FREE_JSON_MAX_DEPTH, larger
    than FREE_JSON_MAX_BYTES once written, NUL anywhere, NaN and infinities.

    Walked with a stack, not recursion, so a deeply nested body cannot exhaust the stack.
    """
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > FREE_JSON_MAX_DEPTH:
                raise PydanticCustomError(
                    "json_too_deep",
                    _("嵌套过深（最多 %(n)d 层）。") % {"n": FREE_JSON_MAX_DEPTH},
                )
            if isinstance(item, dict):
                for key, inner in item.items():
                    without_nul(key)
                    pending.append((inner, depth + 1))
            else:
                pending.extend((inner, depth + 1) for inner in item)
        elif isinstance(item, str):
            without_nul(item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise PydanticCustomError("finite_number", _("数字必须是有限值。"))
    if len(json.dumps(value, ensure_ascii=False).encode()) > FREE_JSON_MAX_BYTES:
        raise PydanticCustomError(
            "json_too_large",
            _("内容过大（最多 %(n)d KB）。") % {"n": FREE_JSON_MAX_BYTES // 1024},
        )
    return value


FreeJson = Annotated[dict, AfterValidator(storable_json)]

# Outside these a time is a typing error, whatever the services' own limits say.
PLAUSIBLE = (
    datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
    datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC),
)


def _aware(moment: datetime.datetime) -> datetime.datetime:
    """A time given without an offset is read in the server's time zone."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        in_range = PLAUSIBLE[0] <= moment < PLAUSIBLE[1]
    except OverflowError:
        # Comparing converts to UTC; year 1 at +08:00 has no UTC equivalent.
        in_range = False
    if not in_range:
        raise PydanticCustomError("datetime_range", _("时间超出范围。"))
    return moment


# A time in a request: aware, and between 2000 and 2100.
Moment = Annotated[datetime.datetime, AfterValidator(_aware)]


class Input(Schema):
    """A request body: a misspelt field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _refuse_nul(cls, value: object) -> object:
        return without_nul(value)


def omitted(**kwargs: Any) -> Any:
    """A PATCH field: absent means "leave unchanged", and null is not accepted.

    The default is never validated and is kept out of the OpenAPI document, where a
    `null` default would contradict the field's type.
    """
    return Field(default=None, json_schema_extra=_drop_default, **kwargs)


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class PageParams(Schema):
    """Query parameters of a list; every list's parameters extend these."""

    cursor: str | None = Field(None, description="next_cursor of the previous page")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)

    @field_validator("*")
    @classmethod
    def _refuse_nul(cls, value: object) -> object:
        return without_nul(value)
