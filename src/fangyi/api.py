"""The JSON API at /api/v1/: one NinjaAPI, one router per area.

Authentication is described in accounts/api_auth.py. Every error is a JSON `{"detail": ...}`:
a string for 401, 403 and 404, and a list of `{"field", "message"}` for 422, whether the
input failed the schema or a service's validation; 429 adds `retry_after` (seconds, also in
the `Retry-After` header). Errors answered before the API is reached (an unknown path, a
wrong method, a server error) are JSON too. Objects outside the caller's scope answer
404, exactly like objects that do not exist, so the API never confirms what it hides.
"""

from django.conf import settings
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError

from fangyi.accounts.api_auth import api_auth
from fangyi.core.areas import api_routers
from fangyi.core.outage import UNAVAILABLE, database_unavailable
from fangyi.core.pagination import InvalidCursor
from fangyi.core.ratelimit import RateLimited
from fangyi.ledgers.services import too_large_message
from fangyi.ledgers.uploads import upload_too_large

api = NinjaAPI(
    title="fangyi",
    version="1",
    urls_namespace="api",
    auth=api_auth,
    description=__doc__,
)
# Every area's routers come from its area.py (`api`), in their declared order.
for prefix, router in api_routers():
    api.add_router(prefix, router)


def field_errors(request: HttpRequest, errors: list[tuple[str | None, str]]):
    detail = [{"field": field, "message": message} for field, message in errors]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError):
    response = api.create_response(
        request, {"detail": _("需要有效的接口令牌（Authorization: Bearer …）。")}, status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited):
    response = api.create_response(
        request, {"detail": exc.message, "retry_after": exc.retry_after}, status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied):
    return api.create_response(
        request, {"detail": str(exc) or _("您没有执行此操作的权限。")}, status=403
    )


# ninja passes handlers added this way the exception or, as its signature allows, its class.
def not_found(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
    return api.create_response(request, {"detail": _("未找到。")}, status=404)


api.add_exception_handler(ObjectDoesNotExist, not_found)
api.add_exception_handler(Http404, not_found)
# A database that is away answers 503 with Retry-After (core/outage.py), whatever other
# handler a broader exception class has.
for unavailable in UNAVAILABLE:
    api.add_exception_handler(unavailable, database_unavailable)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        errors = [
            (None if field == "__all__" else field, message)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [(None, message) for message in exc.messages]
    return field_errors(request, errors)


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
    return api.create_response(
        request,
        {"detail": _("请求内容过大（上限 %(limit)s KB），请分批提交。") % {"limit": limit}},
        status=413,
    )


@api.exception_handler(MultiPartParserError)
def unparsable_upload(request: HttpRequest, exc: MultiPartParserError):
    # Django answers these with its HTML 400 page; the API says why in JSON.
    return api.create_response(
        request,
        {
            "detail": _(
                "无法解析上传的内容：请求应为带 boundary 的 multipart/form-data，"
                "文件名不超过 255 个字符。"
            )
        },
        status=400,
    )


@api.exception_handler(InvalidCursor)
def invalid_cursor(request: HttpRequest, exc: InvalidCursor):
    return field_errors(request, [("cursor", _("翻页游标无效，请从第一页重新开始。"))])


SCHEMA_MESSAGES = {
    "missing": gettext_lazy("请填写此项。"),
    "extra_forbidden": gettext_lazy("没有这个字段。"),
    "literal_error": gettext_lazy("取值无效，可选值：%(expected)s。"),
    "greater_than_equal": gettext_lazy("应不小于 %(ge)s。"),
    "less_than_equal": gettext_lazy("应不大于 %(le)s。"),
    "string_too_long": gettext_lazy("最多 %(max_length)s 个字符。"),
    "string_type": gettext_lazy("应为文本。"),
    "list_type": gettext_lazy("应为列表。"),
    "too_short": gettext_lazy("至少 %(min_length)s 项。"),
    "too_long": gettext_lazy("最多 %(max_length)s 项。"),
    "model_attributes_type": gettext_lazy("应为对象。"),
    "dict_type": gettext_lazy("应为对象。"),
    "bool_type": gettext_lazy("应为 true 或 false。"),
    "bool_parsing": gettext_lazy("应为 true 或 false。"),
    "uuid_type": gettext_lazy("应为 UUID。"),
    "datetime_type": gettext_lazy("时间格式应为 ISO 8601，如 2022-03-14T08:00:00+08:00。"),
    "int_parsing": gettext_lazy("应为整数。"),
    "uuid_parsing": gettext_lazy("应为 UUID。"),
    "date_from_datetime_parsing": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
    "date_parsing": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
    "datetime_from_date_parsing": gettext_lazy(
        "时间格式应为 ISO 8601，如 2022-03-14T08:00:00+08:00。"
    ),
    "datetime_parsing": gettext_lazy("时间格式应为 ISO 8601，如 2022-03-14T08:00:00+08:00。"),
}


@api.exception_handler(SchemaValidationError)
def invalid_schema(request: HttpRequest, exc: SchemaValidationError):
    if upload_too_large(request):
        # The file part was dropped on arrival, so the schema only sees it missing.
        return field_errors(request, [("file", too_large_message())])
    return field_errors(request, [_schema_error(error) for error in exc.errors])


def _schema_error(error: dict) -> tuple[str | None, str]:
    source, *location = error["loc"]
    if source == "body":
        # The first step names the view's body parameter, which callers never see.
        location = location[1:]
    field = ".".join(str(step) for step in location) or None
    template = SCHEMA_MESSAGES.get(error["type"])
    if template is None:
        return field, error["msg"]
    return field, str(template) % error.get("ctx", {})
