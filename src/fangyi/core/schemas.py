"""Schemas every area's API shares: error bodies and the paging parameters."""

from typing import Annotated

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


def without_nul(value):
    # PostgreSQL cannot store or even compare text holding NUL: refuse it at the door.
    if isinstance(value, str) and "\x00" in value:
        raise PydanticCustomError("nul_character", _("不能包含空字符（\\0）。"))
    return value


Text = Annotated[str, AfterValidator(without_nul)]


class Input(Schema):
    """A request body: a misspelt field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _refuse_nul(cls, value):
        return without_nul(value)


def omitted(**kwargs):
    """A PATCH field: absent means "leave unchanged", and null is not accepted.

    The default is never validated and is kept out of the OpenAPI document, where a
    `null` default would contradict the field's type.
    """
    return Field(default=None, json_schema_extra=_drop_default, **kwargs)


def _drop_default(schema: dict) -> None:
    schema.pop("default", None)


class PageParams(Schema):
    """Query parameters of a list; every list's parameters extend these."""

    cursor: str | None = Field(None, description="next_cursor of the previous page")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)

    @field_validator("*")
    @classmethod
    def _refuse_nul(cls, value):
        return without_nul(value)
