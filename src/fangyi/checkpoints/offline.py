"""The scanning page's service worker, served from /checkpoints/ rather than /static/: a worker
controls only pages under the path it is served from (widened no further than the
Service-Worker-Allowed header), and the scanning page lives at /checkpoints/scan/."""

from functools import cache
from pathlib import Path

from django.http import HttpResponse
from django.views.decorators.http import require_GET

SCRIPT = Path(__file__).parent / "static" / "checkpoints" / "sw.js"


@cache
def _script() -> bytes:
    return SCRIPT.read_bytes()


@require_GET
def service_worker(request):
    response = HttpResponse(_script(), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/checkpoints/"
    # Browsers check for a new worker on every visit when this is not cached.
    response["Cache-Control"] = "no-cache"
    return response
