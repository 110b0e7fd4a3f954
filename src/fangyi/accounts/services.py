"""Staff, their role assignments and API tokens."""

from typing import cast

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit, hotsql
from fangyi.core.models import ObjectChange
from fangyi.core.permissions import (
    ADD,
    CHANGE,
    can,
    grantable_roles,
    remember_assignments,
    require,
    role_codes,
)
from fangyi.people.validation import validate_name
from fangyi.regions.models import Region

from .area import STAFF
from .models import ApiToken, RoleAssignment, User, hash_token

USER_FIELDS = ["username", "first_name", "last_name", "phone", "is_active"]


def create_staff(
    *,
    actor,
    username: str,
    password: str,
    role: str,
    region: Region,
    full_name: str = "",
    check_password: bool = True,
) -> User:
    if actor is not None:
        require(actor, STAFF, ADD, region.path, message=_("您没有在该辖区添加工作人员的权限。"))
    username = (username or "").strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("请填写用户名。")]
    elif User.objects.filter(username=username).exists():
        errors["username"] = [_("用户名 %(u)s 已被使用。") % {"u": username}]
    if role not in role_codes():
        errors["role"] = [_("未知角色：%(role)s") % {"role": role}]
    if full_name.strip():
        try:
            full_name = validate_name(full_name)
        except ValidationError as exc:
            errors["full_name"] = exc.messages
    if check_password:
        try:
            validate_password(password)
        except ValidationError as exc:
            errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user = User(username=username, first_name=full_name)
        user.set_password(password)
        user.save(force_insert=True)
        audit.record_change(
            actor=actor,
            action=ObjectChange.CREATE,
            obj=user,
            before=None,
            after=audit.snapshot(user, USER_FIELDS),
            region_path=region.path,
        )
        assign_role(actor=actor, user=user, role=role, region=region)
    return user


def assign_role(*, actor, user: User, role: str, region: Region) -> RoleAssignment:
    if (
        actor is not None
        and not can(actor, STAFF, CHANGE, region.path)
        and not can(actor, STAFF, ADD, region.path)
    ):
        raise PermissionDenied(_("您没有在该辖区分配角色的权限。"))
    if role not in role_codes():
        raise ValidationError({"role": _("未知角色：%(role)s") % {"role": role}})
    if actor is not None and role not in grantable_roles(actor, region.path):
        raise PermissionDenied(_("不能授予比自己在该辖区权限更大的角色。"))
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, region=region, defaults={"region_path": region.path}
    )
    if created:
        audit.record_change(
            actor=actor,
            action=ObjectChange.CREATE,
            obj=assignment,
            before=None,
            after={"user": user.username, "role": role, "region": region.code},
            region_path=region.path,
        )
    user.__dict__.pop("_fangyi_assignments", None)
    return assignment


def issue_token(*, actor, user: User) -> str:
    """Creates a token and returns it: the only time its plain text exists."""
    raw = ApiToken.new_raw_key()
    token = ApiToken.objects.create(user=user, key_hash=hash_token(raw), hint=raw[:8])
    audit.record_change(
        actor=actor,
        action=ObjectChange.CREATE,
        obj=token,
        before=None,
        after={"user": user.username, "hint": token.hint},
        region_path="",
    )
    return raw


# The token's user and their roles, one row per role (or one with no role), in one statement
# written once: every API call makes it, and the two querysets it replaces cost more of the
# server's CPU to build than the database spent on them (finding 48).
_TOKEN_USER = hotsql.Reader(User, "u")
_TOKEN_USED = hotsql.Reader(ApiToken, "t", ["id", "last_used_at"])


def _token_sql(connection) -> str:
    quote = connection.ops.quote_name
    token, user, assignment, region = (
        quote(model._meta.db_table) for model in (ApiToken, User, RoleAssignment, Region)
    )
    return (
        f"SELECT {_TOKEN_USER.columns(connection)}, t.id, t.last_used_at, a.role, r.path "
        f"FROM {token} t INNER JOIN {user} u ON t.user_id = u.id "
        f"LEFT JOIN {assignment} a ON a.user_id = u.id "
        f"LEFT JOIN {region} r ON a.region_id = r.id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active"
    )


def user_for_token(raw: str) -> User | None:
    """The active user of a token not revoked, with their roles known for the request."""
    with hotsql.cursor(connection) as cursor:
        cursor.execute(_token_sql(connection), [hash_token(raw)])
        rows = cursor.fetchall()
    if not rows:
        return None
    first = rows[0]
    user = cast(User, _TOKEN_USER.build(connection, first))
    remember_assignments(user, [(row[-2], row[-1]) for row in rows if row[-2] is not None])
    token_id, last_used = _TOKEN_USED.values(connection, first[len(_TOKEN_USER.fields) :])
    now = timezone.now()
    if last_used is None or (now - last_used).total_seconds() > 300:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user


def deactivate_staff(*, actor, user: User) -> User:
    """Stops a staff member from signing in; their records and audit trail stay."""
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(_("不能停用自己的账号。"))
    paths = sorted(user.role_assignments.values_list("region_path", flat=True))
    if actor is not None and not actor.is_superuser:
        # Only someone who manages every region the user works in may stop them.
        if user.is_superuser or not paths:
            raise PermissionDenied(_("您没有停用该工作人员的权限。"))
        for path in paths:
            require(actor, STAFF, CHANGE, path, message=_("您没有停用该工作人员的权限。"))
    if not user.is_active:
        return user
    before = audit.snapshot(user, USER_FIELDS)
    user.is_active = False
    with transaction.atomic():
        user.save(update_fields=["is_active"])
        audit.record_change(
            actor=actor,
            action=ObjectChange.UPDATE,
            obj=user,
            before=before,
            after=audit.snapshot(user, USER_FIELDS),
            region_path=paths[0] if paths else "",
        )
    return user
