"""Who may do what to which kind of record: roles, actions, and the matrix between them.

The matrix is not written here: each area declares its own resources and what each role may
do with them (`grants` in its area.py, see core/areas.py), and core keeps only the roles, the
actions and its own resource (the audit log). docs/permissions.md is the matrix in prose.
Every scoped query goes through `RestrictedQuerySet.restrict(user, action)`, which asks
`scope_paths` below.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Final, Protocol

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models.fields.related_descriptors import RelatedManager


class RoleHolder(Protocol):
    """A user as the checks see it: accounts' user model, named here by its shape because
    core imports no area."""

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...

    @property
    def role_assignments(self) -> "RelatedManager[Any]": ...

    def get_username(self) -> str: ...


# Who a check is about: the request's user, signed in or not, or nobody (a job, a command).
type Actor = RoleHolder | AnonymousUser | None

ADMIN = "admin"
COMMANDER = "commander"
OFFICER = "officer"
GRID_LEADER = "grid_leader"
GRID_WORKER = "grid_worker"
VOLUNTEER = "volunteer"
CHECKPOINT = "checkpoint"
SAMPLER = "sampler"
LAB = "lab"

VIEW, ADD, CHANGE, DELETE, REVEAL, EXPORT = "view", "add", "change", "delete", "reveal", "export"
ACTIONS = (VIEW, ADD, CHANGE, DELETE, REVEAL, EXPORT)
ALL = frozenset(ACTIONS)

AUDIT = "audit"


@dataclass(frozen=True)
class Role:
    code: str
    label: str | Promise
    # Where it comes in lists of roles (the staff form, `fangyi staff`): the widest first.
    order: int


# role code → Role; and role → resource → the actions the role may take on it. Both are
# filled by the areas' declarations when the apps are loaded.
_ROLES: dict[str, Role] = {}
MATRIX: dict[str, dict[str, frozenset[str]]] = {}


def register_role(role: Role) -> None:
    _ROLES[role.code] = role
    MATRIX.setdefault(role.code, {})


def grant(resource: str, actions_by_role: dict[str, frozenset[str]]) -> None:
    """Declares `resource` and what each role may do with it; a role left out may do nothing."""
    for role, actions in actions_by_role.items():
        unknown = set(actions) - ALL
        if unknown:
            raise ImproperlyConfigured(f"{resource}: unknown actions {sorted(unknown)}")
        MATRIX.setdefault(role, {})[resource] = frozenset(actions)


def roles() -> list[Role]:
    return sorted(_ROLES.values(), key=lambda role: (role.order, role.code))


def role_choices() -> list[tuple[str, str | Promise]]:
    """The roles as model and form choices; a callable, so a new area's role needs no migration."""
    return [(role.code, role.label) for role in roles()]


def role_codes() -> list[str]:
    return [role.code for role in roles()]


def resources() -> list[str]:
    return sorted({resource for grants in MATRIX.values() for resource in grants})


class Everywhere(Enum):
    """Marker: the user may act on every region (a superuser). An enum of one member, so that
    `paths is EVERYWHERE` tells a type checker which of a scope's two kinds it holds."""

    EVERYWHERE = "everywhere"

    def __repr__(self) -> str:
        return "EVERYWHERE"


EVERYWHERE: Final = Everywhere.EVERYWHERE


# The attribute of a user object that caches its assignments for the request.
_ASSIGNMENTS_CACHE = "_fangyi_assignments"


def assignments_of(user: Actor) -> list[tuple[str, str]]:
    """(role, region path) pairs, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached: list[tuple[str, str]] | None = getattr(user, _ASSIGNMENTS_CACHE, None)
    if cached is None:
        cached = list(user.role_assignments.values_list("role", "region__path"))
        setattr(user, _ASSIGNMENTS_CACHE, cached)
    return cached


def remember_assignments(user: Actor, pairs: list[tuple[str, str]]) -> None:
    """The user's (role, region path) pairs, read with the user (the API's token lookup):
    assignments_of then answers from them for the request."""
    setattr(user, _ASSIGNMENTS_CACHE, pairs)


def minimal_paths(paths: Iterable[str]) -> list[str]:
    """Drops paths that lie under another path in the list."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(other) for other in kept):
            kept.append(path)
    return kept


def scope_paths(user: Actor, resource: str, action: str) -> list[str] | Everywhere:
    """Region paths under which `user` may perform `action` on `resource`, or EVERYWHERE."""
    if user is not None and getattr(user, "is_superuser", False) and user.is_active:
        return EVERYWHERE
    return minimal_paths(
        path
        for role, path in assignments_of(user)
        if action in MATRIX.get(role, {}).get(resource, frozenset())
    )


def can(user: Actor, resource: str, action: str, path: str | None = None) -> bool:
    """Whether `user` may act at `path` (or anywhere, when path is None)."""
    paths = scope_paths(user, resource, action)
    if paths is EVERYWHERE:
        return True
    if path is None:
        return bool(paths)
    return any(path.startswith(p) for p in paths)


def require(
    user: Actor, resource: str, action: str, path: str | None = None, *, message: str | None = None
) -> None:
    """What every service checks before it writes: PermissionDenied unless `can`, saying
    `message` when the service has a more precise one."""
    if not can(user, resource, action, path):
        raise PermissionDenied(message or _("您没有在该辖区执行此操作的权限。"))


def grantable_roles(actor: Actor, path: str) -> list[str]:
    """Roles the actor may hand out at `path`: none that can do more than the actor can there.

    Without this an officer could create an administrator and so widen their own reach.
    """
    if getattr(actor, "is_superuser", False):
        return role_codes()
    held: dict[str, set[str]] = {}
    for role, scope in assignments_of(actor):
        if path.startswith(scope):
            for resource, actions in MATRIX.get(role, {}).items():
                held.setdefault(resource, set()).update(actions)
    return [
        code
        for code in role_codes()
        if all(
            actions <= held.get(resource, set())
            for resource, actions in MATRIX.get(code, {}).items()
        )
    ]
