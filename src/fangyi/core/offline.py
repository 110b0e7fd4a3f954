"""The one service worker of the pages that open with the network cut (static/core/offline-sw.js).

A worker controls only the pages under the path it is served from (widened no further than the
Service-Worker-Allowed header), so an area serves the script from its own prefix:

    path("sw.js", offline.service_worker, {"scope": "/checkpoints/"}, name="service-worker")

and its page registers `worker_url(...)`, which names the page's cache in the script's URL; the
page puts its own files into that cache, and the worker answers from it when offline.
"""

from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

SCRIPT = Path(__file__).parent / "static" / "core" / "offline-sw.js"


@cache
def _script() -> bytes:
    return SCRIPT.read_bytes()


@require_GET
def service_worker(request: HttpRequest, scope: str) -> HttpResponse:
    response = HttpResponse(_script(), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = scope
    # Browsers check for a new worker on every visit when this is not cached.
    response["Cache-Control"] = "no-cache"
    return response


def worker_url(url_name: str, page_cache: str) -> str:
    """The URL a page registers the worker under: the area's script, with the page's cache."""
    return f"{reverse(url_name)}?{urlencode({'cache': page_cache})}"
