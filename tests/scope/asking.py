"""What the API and page checks share: hostile ids, who speaks for a route, filling a path."""

import re
from urllib.parse import quote

from .world import ANONYMOUS, RESIDENT, STAFF_ROLES

BAD_IDS = ["not-a-uuid", "12345", "' OR 1=1 --", "0" * 36, "x" * 3000, "网格😀", "%00"]
PARAMETER = re.compile(r"\{(\w+)\}|<(?:\w+:)?(\w+)>")


def deep(levels: int = 2_000):
    """JSON nested deeper than any parser's default recursion limit."""
    value: object = "bottom"
    for _ in range(levels):
        value = {"a": value}
    return value


def user_of(world, role: str):
    return world.users.get(role)


def caller(case) -> str:
    """The role that speaks for the route in the bad-input checks: one that may use it."""
    if case.audience == "public":
        return ANONYMOUS
    if case.audience == "resident":
        return RESIDENT
    return next((role for role in STAFF_ROLES if case.allows(role)), STAFF_ROLES[0])


def url_of(path: str, params: dict) -> str:
    """The path with its parameters ({name} for ninja, <converter:name> for Django) filled."""
    return PARAMETER.sub(
        lambda match: quote(str(params[match.group(1) or match.group(2)]), safe="%"), path
    )


def shows(response, text: str) -> bool:
    return text in response.content.decode()
