"""The permission matrix: which role may do what to which kind of record.

docs/permissions.md is this table in prose; keep them together. Every scoped query goes
through `RestrictedQuerySet.restrict(user, action)`, which asks `scope_paths` below.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

ADMIN = "admin"
COMMANDER = "commander"
OFFICER = "officer"
GRID_LEADER = "grid_leader"
GRID_WORKER = "grid_worker"
VOLUNTEER = "volunteer"
CHECKPOINT = "checkpoint"
SAMPLER = "sampler"
LAB = "lab"

ROLE_CHOICES = [
    (ADMIN, _("系统管理员")),
    (COMMANDER, _("指挥部")),
    (OFFICER, _("街道/社区干部")),
    (GRID_LEADER, _("网格长")),
    (GRID_WORKER, _("网格员")),
    (VOLUNTEER, _("志愿者")),
    (CHECKPOINT, _("卡点人员")),
    (SAMPLER, _("采样人员")),
    (LAB, _("检测机构")),
]
ROLES = [code for code, _label in ROLE_CHOICES]

VIEW, ADD, CHANGE, DELETE, REVEAL, EXPORT = "view", "add", "change", "delete", "reveal", "export"
ACTIONS = (VIEW, ADD, CHANGE, DELETE, REVEAL, EXPORT)

REGION, HOUSEHOLD, PERSON, AUDIT, STAFF = "region", "household", "person", "audit", "staff"
# Health: facts about persons, zones, the policy in force, appeals and manual colour decisions.
FACT, ZONE, POLICY, APPEAL, DECISION = "fact", "zone", "policy", "appeal", "decision"
# Codes: issuing card codes (add), looking a card's colour up (view), revoking codes (change).
CODE = "code"
# Checkpoints: venues and their place codes, checkpoint scans, residents' check-ins.
VENUE, SCAN, CHECKIN = "venue", "scan", "checkin"
# A resident looking after a relative: requests a grid worker confirms (change).
GUARDIANSHIP = "guardianship"
# Screening: campaigns and their rounds and sites, samples taken, tubes at the lab.
CAMPAIGN, SAMPLE, LAB_TUBE = "campaign", "sample", "lab_tube"
# Field work: tasks for grid teams and volunteers (home sampling, visits, deliveries).
TASK = "task"

_ALL = frozenset(ACTIONS)
_PEOPLE_EDIT = frozenset({VIEW, ADD, CHANGE, REVEAL, EXPORT})
_VIEW = frozenset({VIEW})
_VIEW_ADD = frozenset({VIEW, ADD})
_VIEW_ADD_CHANGE = frozenset({VIEW, ADD, CHANGE})

MATRIX: dict[str, dict[str, frozenset[str]]] = {
    ADMIN: {
        REGION: _ALL,
        HOUSEHOLD: _ALL,
        PERSON: _ALL,
        AUDIT: _ALL,
        STAFF: _ALL,
        FACT: _ALL,
        ZONE: _ALL,
        POLICY: _ALL,
        APPEAL: _ALL,
        DECISION: _ALL,
        CODE: _ALL,
        VENUE: _ALL,
        SCAN: _ALL,
        CHECKIN: _ALL,
        GUARDIANSHIP: _ALL,
        CAMPAIGN: _ALL,
        SAMPLE: _ALL,
        LAB_TUBE: _ALL,
        TASK: _ALL,
    },
    COMMANDER: {
        REGION: frozenset({VIEW}),
        HOUSEHOLD: frozenset({VIEW, REVEAL, EXPORT}),
        PERSON: frozenset({VIEW, REVEAL, EXPORT}),
        AUDIT: frozenset({VIEW}),
        STAFF: frozenset({VIEW}),
        FACT: _VIEW_ADD,
        ZONE: _VIEW_ADD_CHANGE,
        POLICY: frozenset({VIEW, CHANGE}),
        APPEAL: _VIEW_ADD_CHANGE,
        DECISION: _VIEW_ADD_CHANGE,
        CODE: _VIEW_ADD_CHANGE,
        VENUE: _VIEW_ADD_CHANGE,
        SCAN: _VIEW,
        CHECKIN: _VIEW,
        GUARDIANSHIP: frozenset({VIEW, CHANGE}),
        CAMPAIGN: _VIEW_ADD_CHANGE,
        SAMPLE: _VIEW,
        LAB_TUBE: _VIEW,
        TASK: _VIEW_ADD_CHANGE,
    },
    OFFICER: {
        REGION: frozenset({VIEW, ADD, CHANGE}),
        HOUSEHOLD: _ALL,
        PERSON: _ALL,
        AUDIT: frozenset({VIEW}),
        STAFF: frozenset({VIEW, ADD, CHANGE}),
        FACT: _VIEW_ADD,
        ZONE: _VIEW_ADD_CHANGE,
        POLICY: _VIEW,
        APPEAL: _VIEW_ADD_CHANGE,
        DECISION: _VIEW_ADD_CHANGE,
        CODE: _VIEW_ADD_CHANGE,
        VENUE: _VIEW_ADD_CHANGE,
        SCAN: _VIEW,
        CHECKIN: _VIEW,
        GUARDIANSHIP: frozenset({VIEW, CHANGE}),
        CAMPAIGN: _VIEW_ADD_CHANGE,
        SAMPLE: _VIEW,
        LAB_TUBE: _VIEW,
        TASK: _VIEW_ADD_CHANGE,
    },
    GRID_LEADER: {
        REGION: frozenset({VIEW}),
        HOUSEHOLD: _PEOPLE_EDIT,
        PERSON: _PEOPLE_EDIT,
        AUDIT: frozenset({VIEW}),
        STAFF: frozenset({VIEW}),
        FACT: _VIEW_ADD,
        ZONE: _VIEW,
        POLICY: _VIEW,
        APPEAL: _VIEW_ADD,
        DECISION: _VIEW,
        CODE: _VIEW_ADD_CHANGE,
        VENUE: _VIEW_ADD_CHANGE,
        GUARDIANSHIP: frozenset({VIEW, CHANGE}),
        CAMPAIGN: _VIEW,
        SAMPLE: _VIEW,
        TASK: _VIEW_ADD_CHANGE,
    },
    GRID_WORKER: {
        REGION: frozenset({VIEW}),
        HOUSEHOLD: _PEOPLE_EDIT,
        PERSON: _PEOPLE_EDIT,
        FACT: _VIEW_ADD,
        ZONE: _VIEW,
        POLICY: _VIEW,
        APPEAL: _VIEW_ADD,
        CODE: _VIEW_ADD,
        VENUE: _VIEW,
        GUARDIANSHIP: frozenset({VIEW, CHANGE}),
        CAMPAIGN: _VIEW,
        SAMPLE: _VIEW,
        TASK: frozenset({VIEW, CHANGE}),
    },
    VOLUNTEER: {
        REGION: frozenset({VIEW}),
        HOUSEHOLD: frozenset({VIEW}),
        PERSON: frozenset({VIEW}),
        TASK: frozenset({VIEW, CHANGE}),
    },
    SAMPLER: {
        REGION: frozenset({VIEW}),
        PERSON: frozenset({VIEW}),
        CAMPAIGN: _VIEW,
        SAMPLE: _VIEW_ADD,
    },
    CHECKPOINT: {
        REGION: frozenset({VIEW}),
        CODE: _VIEW,
        VENUE: _VIEW,
        SCAN: _VIEW_ADD,
    },
    LAB: {LAB_TUBE: _VIEW_ADD_CHANGE},
}


class _Everywhere:
    """Marker: the user may act on every region (a superuser)."""

    def __repr__(self) -> str:
        return "EVERYWHERE"


EVERYWHERE = _Everywhere()


def assignments_of(user) -> list[tuple[str, str]]:
    """(role, region path) pairs, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_fangyi_assignments", None)
    if cached is None:
        cached = list(user.role_assignments.values_list("role", "region__path"))
        user._fangyi_assignments = cached
    return cached


def minimal_paths(paths) -> list[str]:
    """Drops paths that lie under another path in the list."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(other) for other in kept):
            kept.append(path)
    return kept


def scope_paths(user, resource: str, action: str):
    """Region paths under which `user` may perform `action` on `resource`, or EVERYWHERE."""
    if user is not None and getattr(user, "is_superuser", False) and user.is_active:
        return EVERYWHERE
    return minimal_paths(
        path
        for role, path in assignments_of(user)
        if action in MATRIX.get(role, {}).get(resource, frozenset())
    )


def can(user, resource: str, action: str, path: str | None = None) -> bool:
    """Whether `user` may act at `path` (or anywhere, when path is None)."""
    paths = scope_paths(user, resource, action)
    if paths is EVERYWHERE:
        return True
    if path is None:
        return bool(paths)
    return any(path.startswith(p) for p in paths)


def require(user, resource: str, action: str, path: str | None = None) -> None:
    """What every service checks before it writes: PermissionDenied unless `can`."""
    if not can(user, resource, action, path):
        raise PermissionDenied(_("您没有在该辖区执行此操作的权限。"))


def roles_of(user) -> set[str]:
    return {role for role, _path in assignments_of(user)}


def grantable_roles(actor, path: str) -> list[str]:
    """Roles the actor may hand out at `path`: none that can do more than the actor can there.

    Without this an officer could create an administrator and so widen their own reach.
    """
    if getattr(actor, "is_superuser", False):
        return [code for code, _label in ROLE_CHOICES]
    held: dict[str, set[str]] = {}
    for role, scope in assignments_of(actor):
        if path.startswith(scope):
            for resource, actions in MATRIX.get(role, {}).items():
                held.setdefault(resource, set()).update(actions)
    return [
        code
        for code, _label in ROLE_CHOICES
        if all(actions <= held.get(resource, set()) for resource, actions in MATRIX[code].items())
    ]
