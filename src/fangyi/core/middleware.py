from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .context import acting
from .outage import UNAVAILABLE, database_unavailable
from .ratelimit import RateLimited


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID) that audit rows carry."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        via = "api" if request.path.startswith("/api/") else "web"
        with acting(via=via, ip=request.META.get("REMOTE_ADDR")) as ctx:
            response = self.get_response(request)
        response["X-Request-ID"] = ctx.request_id
        return response


class ClientAddressMiddleware:
    """Takes the client's address from the header the proxy in front writes
    (settings.FANGYI_CLIENT_ADDRESS_HEADER), so that the audit log, axes and the rate limits
    all see the client rather than the proxy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.meta_name = "HTTP_" + settings.FANGYI_CLIENT_ADDRESS_HEADER.upper().replace("-", "_")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        value = request.META.get(self.meta_name, "")
        # X-Forwarded-For: the last entry is the one our proxy added; earlier ones the client
        # may have written.
        address = value.rsplit(",", 1)[-1].strip()
        if address:
            request.META["REMOTE_ADDR"] = address
        return self.get_response(request)


def _api_messages() -> dict[int, str]:
    return {
        400: _("请求无效。"),
        403: _("您没有执行此操作的权限。"),
        404: _("未找到。"),
        405: _("不支持此请求方法。"),
        413: _("请求内容过大。"),
        429: _("请求过于频繁，请稍后再试。"),
        500: _("服务器出错了，请稍后再试。"),
    }


class ErrorsMiddleware:
    """Errors as the caller reads them: JSON `{"detail": …}` for every error under /api/, even
    those answered outside the API's own handlers (an unknown path, a wrong method, a failed
    CSRF check, a server error with DEBUG off, whose page would be HTML); and the page saying
    when to try again, with Retry-After, for a page whose view raised RateLimited."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return self._as_json(response)
        return response

    def _as_json(self, response: HttpResponse) -> HttpResponse:
        status = response.status_code
        detail = _api_messages().get(status) or HTTPStatus(status).phrase
        if status == 403 and b"CSRF" in getattr(response, "content", b""):
            detail = _("CSRF 校验失败：请刷新页面后重试。")
        replacement = JsonResponse({"detail": detail}, status=status)
        for header, value in response.items():
            if header.lower() not in {"content-type", "content-length"}:
                replacement[header] = value
        return replacement

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, RateLimited):
            return None
        response: HttpResponse
        if request.path.startswith("/api/"):
            # Inside the API's operations its own handler answers (fangyi/api.py); this is
            # for a limit applied around one.
            body = {"detail": exc.message, "retry_after": exc.retry_after}
            response = JsonResponse(body, status=429, json_dumps_params={"ensure_ascii": False})
        else:
            context = {"message": exc.message, "seconds": exc.retry_after}
            response = TemplateResponse(request, "429.html", context, status=429).render()
        response["Retry-After"] = str(exc.retry_after)
        return response


class SecurityHeadersMiddleware:
    """What SecurityMiddleware does not send: Permissions-Policy, and `no-store` on every
    response built here.

    Static files never reach this middleware (WhiteNoise answers them first) and stay
    cacheable; so does any response whose view chose its own Cache-Control (the public
    verification keys, the service worker). Everything else may hold personal data, a
    revealed name or an export, or a CSRF token: no browser or proxy keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.FANGYI_PERMISSIONS_POLICY)
        if "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class DatabaseUnavailableMiddleware:
    """Answers 503 instead of 500 when a page's database is away (see core/outage.py); the
    API's own exception handler does the same for API operations."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, UNAVAILABLE):
            return database_unavailable(request, exception)
        return None
