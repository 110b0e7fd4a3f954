import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangyi.core.querysets import RestrictedQuerySet

from .area import SUPPLY_PASS


class PassRole(models.TextChoices):
    COURIER = "courier", _("快递/配送员")
    DRIVER = "driver", _("货运司机")
    VOLUNTEER = "volunteer", _("保供志愿者")


class PassState(models.TextChoices):
    ACTIVE = "active", _("有效")
    SUSPENDED = "suspended", _("已暂停")
    REVOKED = "revoked", _("已撤销")


class SupplyPass(models.Model):
    """A courier, driver or volunteer on the whitelist: who, for whom, where, and until when.

    The pass itself is a signed code issued on demand (codes.services.issue_pass_code); this
    row is what it is issued from.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("人员")
    )
    role = models.CharField(_("类别"), max_length=16, choices=PassRole.choices)
    organisation = models.CharField(_("所属单位"), max_length=30)
    plate = models.CharField(_("车牌号"), max_length=10, blank=True)
    # The region whose officers keep this entry: the scope of the row.
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("登记区域")
    )
    region_path = models.CharField(max_length=18, editable=False)
    areas = models.ManyToManyField("regions.Region", related_name="+", verbose_name=_("通行区域"))
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("截止日期"))
    state = models.CharField(
        _("状态"), max_length=16, choices=PassState.choices, default=PassState.ACTIVE
    )
    state_reason = models.CharField(_("暂停或撤销理由"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = SUPPLY_PASS
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("保供通行证")
        verbose_name_plural = _("保供通行证")
        constraints = [
            # One pass a person at a time: what the holder's phone shows is never a choice.
            models.UniqueConstraint(
                fields=["person"], condition=~Q(state="revoked"), name="one_live_pass_per_person"
            ),
        ]
        indexes = [models.Index(fields=["region_path", "id"], name="supplypass_scope")]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_role_display()}"
