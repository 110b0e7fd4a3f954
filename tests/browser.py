"""What browser tests share besides the `in_browser` fixture."""

from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client


def session_cookie(user, live_server) -> dict:
    """A signed-in session for `user`, as a cookie for a Playwright context."""
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "domain": urlsplit(live_server.url).hostname,
        "path": "/",
    }
