"""Residents' logins (one-time codes, bearer tokens) and the people a resident looks after.

Residents are not staff users: they prove who they are with a code sent to the mobile number
on their person record. Only hashes of codes and tokens are stored.
"""

import datetime
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core.querysets import RestrictedQuerySet


class OneTimeCode(models.Model):
    """A login code asked for a mobile number; also the ledger the rate limits count.

    A row is kept for every request, even for numbers no resident has (with nothing sent and
    no hash), so that the limits answer the same way whether the number is known or not.
    """

    phone = models.CharField(_("手机号"), max_length=11)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # HMAC-SHA256 of the number and code with SECRET_KEY; blank when nothing was sent.
    code_hash = models.CharField(max_length=64, blank=True)
    sent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("登录验证码")
        verbose_name_plural = _("登录验证码")
        indexes = [
            models.Index(fields=["phone", "created_at"], name="otp_phone_time"),
            models.Index(fields=["ip", "created_at"], name="otp_ip_time"),
        ]

    def __str__(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]} {self.created_at:%Y-%m-%d %H:%M}"


class ResidentToken(models.Model):
    """A resident's API login. Only the SHA-256 is stored; the token is shown once."""

    # Distinct from staff tokens ("fy_"), so a leaked token says which kind it is.
    PREFIX = "fyr_"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="resident_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("居民登录令牌")
        verbose_name_plural = _("居民登录令牌")

    def __str__(self) -> str:
        return f"{self.person} {self.created_at:%Y-%m-%d}"

    @classmethod
    def new_raw_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class Relation(models.TextChoices):
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女/外孙子女")
    GRANDPARENT = "grandparent", _("祖父母/外祖父母")
    SPOUSE = "spouse", _("配偶")
    OTHER = "other", _("其他亲属")


# A request nobody decided on in this time lapses, matched or not.
PENDING_DAYS = 14


class Guardianship(models.Model):
    """A resident looks after someone (a child, an elderly parent) once a grid worker confirms.

    A request naming nobody on record is kept as well, without a dependant: the resident sees
    the same pending request either way, so the form cannot be used to find out who exists.
    Grid workers only ever see requests that name a real person in their scope.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("待网格员核实")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("未通过")
        ENDED = "ended", _("已结束")
        # Nobody decided within PENDING_DAYS; the resident may ask again.
        EXPIRED = "expired", _("已过期")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    holder = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="guardianships",
        verbose_name=_("申请人"),
    )
    dependant = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="guardians",
        verbose_name=_("被照顾人"),
    )
    # What the resident typed, kept masked: all the holder's list can show of an unmatched one.
    claimed_name = models.CharField(_("姓名"), max_length=50)
    claimed_id_tail = models.CharField(max_length=4)
    # HMAC of the ID number typed, so a repeated request is recognised, matched or not.
    claimed_key = models.CharField(max_length=64)
    relation = models.CharField(_("关系"), max_length=16, choices=Relation.choices)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by_name = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("说明"), max_length=200, blank=True)
    # The dependant's region when requested: who may confirm. Blank when nobody matched.
    region_path = models.CharField(max_length=18, blank=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = "guardianship"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("照顾关系")
        verbose_name_plural = _("照顾关系")
        indexes = [
            models.Index(
                fields=["region_path", "requested_at"],
                condition=Q(state="pending", dependant__isnull=False),
                name="guardianship_queue",
            ),
            models.Index(fields=["holder", "state"], name="guardianship_holder"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "claimed_key"],
                condition=Q(state__in=["pending", "confirmed"]),
                name="one_open_guardianship",
            )
        ]

    def __str__(self) -> str:
        return f"{self.claimed_name} ({self.get_relation_display()})"

    @property
    def lapsed(self) -> bool:
        return self.state == self.State.PENDING and self.requested_at < lapse_cutoff()

    @property
    def shown_state(self) -> str:
        return self.State.EXPIRED if self.lapsed else self.state

    @property
    def shown_state_label(self) -> str:
        return str(self.State(self.shown_state).label)


def lapse_cutoff():
    return timezone.now() - datetime.timedelta(days=PENDING_DAYS)
