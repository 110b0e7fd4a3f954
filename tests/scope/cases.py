"""What a declared case says about a route, and what follows for each role."""

from collections.abc import Callable
from dataclasses import dataclass, field

from fangyi.core import permissions as p
from fangyi.core.models import AccessEvent, ObjectChange


def audit_rows() -> int:
    return ObjectChange.objects.count() + AccessEvent.objects.count()


@dataclass(frozen=True)
class Case:
    """One route's declared behaviour.

    need: the (resource, action) of the permission matrix the route needs; the roles that hold
        it succeed in scope, the others are refused.
    allowed: the roles that succeed, where the matrix alone does not say (own jobs, the
        assignee of a task, the samplers of a site); replaces `need` for that purpose.
    audience: "staff" (a staff token or login), "resident" (a resident token or portal
        session) or "public" (no one is refused).
    path, query, body, files: (world, side, user) -> dict for the path parameters, the query
        string, the JSON body (a form for pages) and a multipart upload of a request about
        `side`.
    writes: a successful request must leave a record: `records()` counts them (audit rows by
        default; None: the route writes nothing that is kept, e.g. a logout).
    refused: the statuses a role without the right gets (404 where the route hides that the
        object exists).
    outside: the statuses for an object of `away` (422 where the object is named in the body
        and the service names the field); empty where nothing in the request is scoped.
    listed: side -> a text that a list shows for that side's object, and hides for `away`.
    ok: the statuses of success, where it is not 2xx (a probe with a deliberately wrong code).
    bad_bodies, bad_queries, bad_ids: route-specific hostile input beyond the common lists;
        an entry is the value, a (value, field) pair when the 422 must name the field, or a
        function (world, side, user) of the world for input that names its objects.
    bad_fields: (patch, field) pairs: the valid body with the patch applied is refused with
        a 422 that names the field.
    """

    need: tuple[str, str] | None = None
    allowed: set[str] | None = None
    audience: str = "staff"
    path: Callable | None = None
    query: Callable | None = None
    body: Callable | None = None
    files: Callable | None = None
    writes: bool = False
    records: Callable | None = audit_rows
    refused: tuple[int, ...] = (403,)
    outside: tuple[int, ...] = (404,)
    listed: Callable | None = None
    ok: tuple[int, ...] = ()
    bad_bodies: list = field(default_factory=list)
    bad_fields: list = field(default_factory=list)
    bad_queries: list = field(default_factory=list)
    bad_ids: list = field(default_factory=list)

    def allows(self, role: str) -> bool:
        if self.audience == "public":
            return True
        if self.audience == "resident":
            return role == "resident"
        if role not in p.role_codes():
            return False
        if self.allowed is not None:
            return role in self.allowed
        resource, action = self.need
        return action in p.MATRIX[role].get(resource, frozenset())

    def succeeded(self, status: int) -> bool:
        return status in self.ok if self.ok else 200 <= status < 300
