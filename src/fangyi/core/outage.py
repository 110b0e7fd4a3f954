"""What a request answers while the database is away: 503 with Retry-After, not a 500 page.

A restarted or unreachable database raises OperationalError (the connection failed or broke,
or a statement hit its timeout) or InterfaceError (a connection that had already broken was
used again). The request cannot be served, but the next one may be: the answer says so, and
the broken connection is closed so that the next request opens a new one instead of failing
on the old.
"""

import contextlib
import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

UNAVAILABLE = (OperationalError, InterfaceError)


def discard_connections() -> None:
    for connection in connections.all(initialized_only=True):
        # Closing a connection whose server is gone can fail in turn; it is discarded anyway.
        with contextlib.suppress(DatabaseError):
            connection.close()


def database_unavailable(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
    # One line, no traceback: during an outage every request comes here.
    logger.warning("database unavailable (%s): %s", type(exc).__name__, str(exc).strip())
    discard_connections()
    message = _("数据库暂时不可用，请稍后重试")
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        # A page of its own, with no base template: the menu and the user need the database.
        response = HttpResponse(
            render_to_string(
                "core/unavailable.html", {"message": message, "language": get_language()}
            ),
            status=503,
        )
    response["Retry-After"] = str(settings.FANGYI_DB_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    # The warning above is the request's log line; Django's own would repeat it as an error.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
