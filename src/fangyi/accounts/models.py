import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangyi.core.permissions import role_choices
from fangyi.core.querysets import RestrictedQuerySet


class User(AbstractUser):
    """Staff member. Residents log in through the resident portal, not as users."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    phone = models.CharField(_("手机号"), max_length=11, blank=True)

    def display_name(self) -> str:
        """The full name, or the username when no name is on record."""
        return self.get_full_name() or self.get_username()

    def choice_label(self) -> str:
        """How a list to pick staff from names them: the name, with the username to tell
        namesakes apart."""
        full = self.get_full_name()
        return f"{full}（{self.get_username()}）" if full else self.get_username()

    class Meta(AbstractUser.Meta):
        verbose_name = _("工作人员")  # type: ignore[assignment]  # the stubs type Meta's names as str; Django takes lazy text
        verbose_name_plural = _("工作人员")  # type: ignore[assignment]  # the stubs type Meta's names as str; Django takes lazy text


class RoleAssignmentQuerySet(RestrictedQuerySet):
    pass


class RoleAssignment(models.Model):
    """A role held over one region's subtree."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("角色"), max_length=20, choices=role_choices)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("辖区"),
    )
    region_path = models.CharField(max_length=32, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()
    permission_resource = "staff"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region"], name="unique_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.region_id}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """Only the SHA-256 of a token is stored; the token itself is shown once."""

    PREFIX = "fy_"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.hint}…"

    @classmethod
    def new_raw_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
