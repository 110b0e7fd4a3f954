from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import acting


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
