"""Mass-screening campaigns, their rounds and sampling sites, tubes and the samples in them.

A campaign covers regions (any level); a round is a time window of the campaign in which
everyone expected is to be sampled once. Samplers put people into tubes at sites; a tube holds
up to its pool size and is closed when full or by hand. Lab results are the lab's part.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangyi.core.paths import under
from fangyi.core.permissions import EVERYWHERE, scope_paths
from fangyi.core.querysets import RestrictedQuerySet
from fangyi.health.models import TestOutcome, TubeKind
from fangyi.regions.models import ancestor_paths

# The pool sizes validated for nucleic-acid tests (docs/domain.md): what a campaign may default to.
STANDARD_POOL_SIZES = (1, 5, 10, 20)
# Sizes a campaign may allow besides the standard ones, e.g. a household of 7 in a sealed zone.
MAX_POOL_SIZE = 50


def default_pool_sizes() -> list[int]:
    return list(STANDARD_POOL_SIZES)


class TubeState(models.TextChoices):
    OPEN = "open", _("采样中")
    CLOSED = "closed", _("已封管")
    RECEIVED = "received", _("已接收")
    RESULTED = "resulted", _("已出结果")


class CampaignQuerySet(RestrictedQuerySet["Campaign"]):
    def restrict(self, user, action: str = "view", *, within: str = ""):
        """Campaigns whose covered regions overlap the user's: a sampler of one district sees
        the city-wide campaign, though it is scoped at the city."""
        paths = scope_paths(user, self.model.permission_resource, action)
        if paths is EVERYWHERE:
            if not within:
                return self.all()
            return self.filter(pk__in=_overlapping([within]))
        ranges = [within] if any(within.startswith(p) for p in paths) else []
        ranges += [p for p in paths if p.startswith(within) and not within.startswith(p)]
        if not ranges:
            return self.none()
        return self.filter(pk__in=_overlapping(ranges))


def _overlapping(ranges: list[str]):
    """Campaign ids covering a region under one of `ranges`, or above one of them."""
    condition = Q(path__in={a for path in ranges for a in ancestor_paths(path)})
    for path in ranges:
        condition |= under("path", path)
    return CampaignRegion.objects.filter(condition).values("campaign_id")


class Campaign(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("名称"), max_length=100)
    # The common ancestor of its regions: the scope in which staff create and change it.
    region_path = models.CharField(max_length=18, editable=False)
    pool_sizes = models.JSONField(_("允许的混采人数"), default=default_pool_sizes)
    default_pool_size = models.PositiveSmallIntegerField(
        _("默认混采人数"), choices=[(size, f"{size}") for size in STANDARD_POOL_SIZES], default=10
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()
    permission_resource = "campaign"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("筛查任务")
        verbose_name_plural = _("筛查任务")
        indexes = [models.Index(fields=["-created_at", "-id"], name="campaign_newest")]

    def __str__(self) -> str:
        return self.name

    @property
    def largest_pool_size(self) -> int:
        return max(self.pool_sizes)


class CampaignRegion(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="areas")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=18)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "region"], name="unique_campaign_region")
        ]
        indexes = [models.Index(fields=["path"], name="campaign_region_path")]

    def __str__(self) -> str:
        return f"{self.campaign} {self.path}"


class Round(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("筛查任务")
    )
    number = models.PositiveSmallIntegerField(_("轮次"))
    starts_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("截止时间"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("筛查轮次")
        verbose_name_plural = _("筛查轮次")
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="unique_round_number"),
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("starts_at")), name="round_deadline_after_start"
            ),
        ]

    def __str__(self) -> str:
        return _("第%(number)s轮") % {"number": self.number}


class Exemption(models.Model):
    """Someone not expected in one round, or in the whole campaign (no round), and why."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="exemptions")
    round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.CASCADE, related_name="exemptions"
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=18)
    reason = models.CharField(_("免检原因"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = "campaign"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("免检")
        verbose_name_plural = _("免检")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"],
                condition=Q(round__isnull=True),
                name="unique_campaign_exemption",
            ),
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=Q(round__isnull=False),
                name="unique_round_exemption",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.reason}"


class SamplingSite(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="sites", verbose_name=_("筛查任务")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区域")
    )
    region_path = models.CharField(max_length=18, editable=False)
    name = models.CharField(_("采样点名称"), max_length=100)
    opening_hours = models.CharField(_("开放时间"), max_length=200, blank=True)
    capacity_per_hour = models.PositiveIntegerField(_("每小时采样能力"))
    samplers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="SiteAssignment",
        through_fields=("site", "user"),
        related_name="sampling_sites",
        verbose_name=_("采样人员"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = "campaign"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("采样点")
        verbose_name_plural = _("采样点")
        indexes = [models.Index(fields=["campaign", "region_path"], name="site_campaign")]

    def __str__(self) -> str:
        return self.name


class SiteAssignment(models.Model):
    site = models.ForeignKey(SamplingSite, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "user"], name="unique_site_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.user_id}"


class Tube(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    barcode = models.CharField(_("试管条码"), max_length=32, unique=True)
    # No index of its own: tube_round_state leads with the round.
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="tubes", db_index=False)
    site = models.ForeignKey(SamplingSite, on_delete=models.PROTECT, related_name="tubes")
    pool_size = models.PositiveSmallIntegerField(_("混采人数"))
    kind = models.CharField(_("类型"), max_length=8, choices=TubeKind.choices)
    state = models.CharField(
        _("状态"), max_length=10, choices=TubeState.choices, default=TubeState.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("开管时间"))
    closed_at = models.DateTimeField(_("封管时间"), null=True, blank=True)
    # The site's region: samplers and the command centre find tubes by where they were filled.
    region_path = models.CharField(max_length=18)
    # The lab's part. Labs see barcodes only: nothing here names a person.
    received_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("接收人"),
    )
    result = models.CharField(_("检测结果"), max_length=8, choices=TestOutcome.choices, blank=True)
    ct_value = models.FloatField(_("Ct 值"), null=True, blank=True)
    tested_at = models.DateTimeField(_("检测时间"), null=True, blank=True)
    resulted_at = models.DateTimeField(_("结果录入时间"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = "sample"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("采样管")
        verbose_name_plural = _("采样管")
        indexes = [
            models.Index(fields=["round", "state"], name="tube_round_state"),
            models.Index(fields=["region_path", "opened_at"], name="tube_scope_time"),
            # The lab's list, newest first.
            models.Index(fields=["opened_at", "id"], name="tube_opened"),
        ]

    def __str__(self) -> str:
        return self.barcode


class Sample(models.Model):
    """One person's swab in one tube."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: unique_sample leads with the tube.
    tube = models.ForeignKey(Tube, on_delete=models.CASCADE, related_name="samples", db_index=False)
    # No index of its own: sample_person leads with the person. No database constraint, as
    # on health.Status: the service has just read every person of a batch, and the check per
    # row at commit cost as much as writing the row. Deleting a person through Django still
    # deletes their samples (on_delete runs in the ORM).
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Copies of the tube's, which the database checks: coverage counts a round's samples by
    # region without joining tubes. Samples arrive by the million, so these copies are not
    # checked again, nor indexed beyond what coverage reads.
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    site = models.ForeignKey(
        SamplingSite,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    sampled_at = models.DateTimeField(_("采样时间"))
    sampler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The person's region: coverage per building, and grid staff seeing their residents' samples.
    region_path = models.CharField(max_length=18)
    # The tube's state is open, copied here so that the database itself can refuse a person in
    # two open tubes of a round: a partial unique index cannot look at another table, and both
    # databases support one on a column of this table. Closing a tube clears it on its samples.
    in_open_tube = models.BooleanField(default=True)
    # The tube's result, copied when it comes back: coverage counts results and positives per
    # region from this table alone.
    result = models.CharField(
        _("检测结果"), max_length=8, choices=TestOutcome.choices, blank=True, default=""
    )

    objects = RestrictedQuerySet.as_manager()
    permission_resource = "sample"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("采样记录")
        verbose_name_plural = _("采样记录")
        constraints = [
            models.UniqueConstraint(fields=["tube", "person"], name="unique_sample"),
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=Q(in_open_tube=True),
                name="one_open_sample_per_round",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "region_path"], name="sample_round_region"),
            # A person's samples, and whether they were sampled in a round.
            models.Index(fields=["person", "round"], name="sample_person"),
        ]

    def __str__(self) -> str:
        return f"{self.tube_id} {self.person_id}"
