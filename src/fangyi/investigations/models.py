"""Investigations (流调): one per confirmed or positive case, with its team, the places and
times the case went through, and the contacts found there.

A contact who later becomes a case gets an investigation of their own, which remembers the
contact it grew from: the investigations of one chain share their root (`chain_root`) and count
their generation from it, so a chain of ten thousand people is read with two indexed queries.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core.masking import mask_name
from fangyi.core.querysets import RestrictedQuerySet

from .area import CONTACT, INVESTIGATION


class InvestigationState(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结案")


class TeamRole(models.TextChoices):
    INVESTIGATOR = "investigator", _("流调员")
    POLICE = "police", _("公安民警")
    TRANSFER = "transfer", _("转运专员")


class Investigation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.OneToOneField(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="investigation",
        verbose_name=_("病例"),
    )
    # The case's region when the investigation was opened: its scope.
    region_path = models.CharField(max_length=18, editable=False)
    # The confirmed or positive fact that made the person a case, and when it happened: the
    # first of the four clocks starts there.
    case_fact = models.ForeignKey(
        "health.Fact",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("依据"),
        db_constraint=False,
    )
    # When the fact happened (the swab of a test) and when it was recorded (the result known):
    # the first clock runs between the two.
    occurred_at = models.DateTimeField(_("采样时间"))
    found_at = models.DateTimeField(_("发现时间"))
    state = models.CharField(
        _("状态"),
        max_length=8,
        choices=InvestigationState.choices,
        default=InvestigationState.OPEN,
    )
    notes = models.TextField(_("流调记录"), blank=True)
    # The contact this case was found as, if any: the edge that joins it to its chain.
    source_contact = models.ForeignKey(
        "Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("传染来源"),
    )
    chain_root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("传播链"),
    )
    generation = models.PositiveSmallIntegerField(_("代际"), default=0)
    report_confirmed_at = models.DateTimeField(_("报告确认时间"), null=True, blank=True)
    transfer_arrived_at = models.DateTimeField(_("转运到达时间"), null=True, blank=True)
    consultation_at = models.DateTimeField(_("专家会诊时间"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("立案人"),
    )
    opened_at = models.DateTimeField(_("立案时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = INVESTIGATION
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("流调")
        verbose_name_plural = _("流调")
        indexes = [
            models.Index(fields=["region_path", "found_at", "id"], name="investigation_scope"),
            models.Index(fields=["chain_root", "found_at"], name="investigation_chain"),
            models.Index(fields=["found_at", "id"], name="investigation_found"),
        ]

    def __str__(self) -> str:
        # Masked: this string lands in audit rows.
        return f"{_('流调')} {self.person}"


class TeamMember(models.Model):
    investigation = models.ForeignKey(
        Investigation, on_delete=models.CASCADE, related_name="team", verbose_name=_("流调")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("人员")
    )
    role = models.CharField(_("分工"), max_length=12, choices=TeamRole.choices)

    class Meta:
        verbose_name = _("流调队员")
        verbose_name_plural = _("流调队员")
        ordering = ["investigation", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["investigation", "user"], name="team_unique_member")
        ]

    def __str__(self) -> str:
        return f"{self.user.display_name()} {self.get_role_display()}"


class PlaceSource(models.TextChoices):
    MANUAL = "manual", _("流调登记")
    CHECKIN = "checkin", _("场所签到")
    SCAN = "scan", _("卡点扫码")


class Place(models.Model):
    """Where the case was, from when to when: a venue of the checkpoints area or free text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    investigation = models.ForeignKey(
        Investigation, on_delete=models.CASCADE, related_name="places", verbose_name=_("流调")
    )
    region_path = models.CharField(max_length=18, editable=False)
    venue = models.ForeignKey(
        "checkpoints.Venue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("场所"),
    )
    description = models.CharField(_("地点"), max_length=200, blank=True)
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    source = models.CharField(_("来源"), max_length=8, choices=PlaceSource.choices)
    # The check-in or scan it was proposed from: proposing again adds nothing twice.
    source_ref = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = INVESTIGATION
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("活动轨迹")
        verbose_name_plural = _("活动轨迹")
        indexes = [models.Index(fields=["investigation", "start", "id"], name="place_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["investigation", "source", "source_ref"],
                condition=~Q(source_ref=""),
                name="place_unique_source",
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="place_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.start:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        return self.venue.name if self.venue_id and self.venue else self.description


class ContactCategory(models.TextChoices):
    CLOSE = "close", _("密切接触者")
    SECONDARY = "secondary", _("次密切接触者")


class ContactState(models.TextChoices):
    PROPOSED = "proposed", _("待核实")
    TO_LOCATE = "to_locate", _("待查找")
    LINKED = "linked", _("已登记")
    DISMISSED = "dismissed", _("已排除")


class Contact(models.Model):
    """Someone the case met: a registered resident (linked) or a name and phone to locate."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    investigation = models.ForeignKey(
        Investigation, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("流调")
    )
    # The investigation's scope: a contact from another district is still its team's work.
    region_path = models.CharField(max_length=18, editable=False)
    chain_root = models.ForeignKey(
        Investigation, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("居民"),
    )
    # Who is to be found, while nobody is linked: kept after, as what the team was told.
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=11, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在网格"),
    )
    category = models.CharField(_("类别"), max_length=10, choices=ContactCategory.choices)
    exposure_at = models.DateTimeField(_("接触时间"))
    place = models.ForeignKey(
        Place,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        verbose_name=_("接触地点"),
    )
    place_text = models.CharField(_("接触地点"), max_length=200, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=ContactState.choices)
    fact = models.ForeignKey(
        "health.Fact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    task = models.ForeignKey(
        "fieldwork.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("查找任务"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = CONTACT
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("接触者")
        verbose_name_plural = _("接触者")
        indexes = [
            models.Index(fields=["investigation", "created_at", "id"], name="contact_list"),
            models.Index(fields=["chain_root"], name="contact_chain"),
            models.Index(fields=["person", "created_at"], name="contact_person"),
        ]
        constraints = [
            # A person is one contact of a case, however often proposals are made.
            models.UniqueConstraint(
                fields=["investigation", "person"],
                condition=Q(person__isnull=False),
                name="contact_unique_person",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(name=""), name="contact_named"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.person or self.masked_name}"

    @property
    def masked_name(self) -> str:
        return self.person.masked_name if self.person_id and self.person else mask_name(self.name)
