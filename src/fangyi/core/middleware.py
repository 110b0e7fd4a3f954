from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import acting
from .outage import UNAVAILABLE, database_unavailable


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
