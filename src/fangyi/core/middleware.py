from .context import acting


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID) that audit rows carry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        via = "api" if request.path.startswith("/api/") else "web"
        with acting(via=via, ip=request.META.get("REMOTE_ADDR")) as ctx:
            request.request_id = ctx.request_id
            response = self.get_response(request)
        response["X-Request-ID"] = ctx.request_id
        return response
