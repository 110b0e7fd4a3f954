"""What browser tests share besides the `in_browser` fixture."""

import time
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


def wait_until(page, expression: str, timeout: float = 10.0, every: float = 0.05):
    """Waits until `expression` (a function, async or not) answers something truthy in the
    page, and answers it. Playwright's wait_for_function does not await a promise: an async
    predicate counts as true at once, whatever it resolves to."""
    deadline = time.monotonic() + timeout
    while True:
        answer = page.evaluate(expression)
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout} s: {expression}")
        time.sleep(every)
