"""Facts about persons, the prevention policy, zones, current statuses, appeals and decisions.

Facts are append-only: a wrong fact is retracted by a new `retraction` fact pointing at it.
Status rows are derived from facts, zones and the policy by `rules.evaluate`, never set by
hand; a manual colour needs a `ManualDecision` approved by a second officer.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core.models import AppendOnlyModel, AppendOnlyQuerySet
from fangyi.core.permissions import EVERYWHERE, scope_paths
from fangyi.core.querysets import RestrictedQuerySet
from fangyi.regions.models import ancestor_paths


class Colour(models.TextChoices):
    GREEN = "green", _("绿码")
    YELLOW = "yellow", _("黄码")
    ORANGE = "orange", _("橙码")
    RED = "red", _("红码")


class FactKind(models.TextChoices):
    TEST_RESULT = "test_result", _("核酸检测结果")
    POOLED_POSITIVE = "pooled_positive", _("混管阳性待复核")
    CASE_CONFIRMED = "case_confirmed", _("确诊病例")
    CASE_SUSPECTED = "case_suspected", _("疑似病例")
    RECOVERED = "recovered", _("治愈出院")
    CLOSE_CONTACT = "close_contact", _("密切接触者")
    SECONDARY_CONTACT = "secondary_contact", _("次密切接触者")
    ARRIVAL_FROM_RISK_AREA = "arrival_from_risk_area", _("来自风险地区")
    FEVER_CLINIC_VISIT = "fever_clinic_visit", _("发热门诊就诊")
    QUARANTINE_START = "quarantine_start", _("开始隔离")
    QUARANTINE_END = "quarantine_end", _("结束隔离")
    HEALTH_DECLARATION = "health_declaration", _("健康申报")
    RETRACTION = "retraction", _("撤销记录")


class TestOutcome(models.TextChoices):
    NEGATIVE = "negative", _("阴性")
    POSITIVE = "positive", _("阳性")
    INVALID = "invalid", _("无效")


class TubeKind(models.TextChoices):
    SINGLE = "single", _("单管")
    POOLED = "pooled", _("混管")


class QuarantineSetting(models.TextChoices):
    CENTRALISED = "centralised", _("集中隔离")
    HOME = "home", _("居家隔离")
    HOME_MONITORING = "home_monitoring", _("居家健康监测")


class Fact(AppendOnlyModel):
    """Something that happened to a person, as recorded: the only ground a colour stands on."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: fact_person_time leads with the person. No database constraint,
    # as on Status: facts arrive by the million from labs, whose writer has just read every
    # member, and the check per row cost a tenth of writing it. Deleting a person through
    # Django still deletes their facts (on_delete runs in the ORM).
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="facts",
        verbose_name=_("居民"),
        db_index=False,
        db_constraint=False,
    )
    # The person's region when recorded: scope for reading facts, and "new positives in a zone".
    region_path = models.CharField(max_length=18)
    kind = models.CharField(_("类别"), max_length=32, choices=FactKind.choices)
    occurred_at = models.DateTimeField(_("发生时间"))
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    # test_result only; a column rather than a detail so that positives are found by index.
    outcome = models.CharField(_("结果"), max_length=8, choices=TestOutcome.choices, blank=True)
    # test_result: single or pooled; quarantine_start / _end: the setting. A column, not a
    # detail, because the rules need it for every fact and JSON costs a parse per row.
    variant = models.CharField(_("类型"), max_length=16, blank=True)
    retracts = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retractions",
        verbose_name=_("撤销的记录"),
    )
    source = models.CharField(_("来源"), max_length=32)
    source_ref = models.CharField(_("来源编号"), max_length=100, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("记录人"),
    )
    actor_name = models.CharField(_("记录人"), max_length=150, blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()
    permission_resource = "fact"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("健康事实")
        verbose_name_plural = _("健康事实")
        indexes = [
            models.Index(fields=["person", "occurred_at"], name="fact_person_time"),
            models.Index(
                fields=["region_path", "occurred_at"],
                condition=Q(kind__in=["case_confirmed", "case_suspected"])
                | Q(kind="test_result", outcome="positive"),
                name="fact_new_positive",
            ),
            # The few persons whose facts can colour them (recompute.RISK): a city-wide
            # recompute reads only their facts.
            models.Index(
                fields=["person"],
                condition=~Q(kind__in=["test_result", "health_declaration"])
                | Q(outcome="positive"),
                name="fact_risk",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class PolicyQuerySet(models.QuerySet["Policy"]):
    def in_force(self) -> "Policy":
        return self.get(in_force=True)


class Policy(models.Model):
    """A prevention plan as data: zone kinds, quarantine lengths, the colour rules' parameters."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("编号"), max_length=40)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(max_length=100, blank=True)
    effective_from = models.DateField(_("生效日期"))
    parameters = models.JSONField(_("参数"))
    in_force = models.BooleanField(_("执行中"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("防控方案")
        verbose_name_plural = _("防控方案")
        ordering = ["effective_from", "code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_policy_version"),
            models.UniqueConstraint(
                fields=["in_force"], condition=Q(in_force=True), name="one_policy_in_force"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """What status rows and codes name: the plan and its version, e.g. 2022-06-9th.v1."""
        return f"{self.code}.v{self.version}"

    def zone_kind(self, code: str) -> dict | None:
        return next((kind for kind in self.parameters["zone_kinds"] if kind["code"] == code), None)


class ZoneQuerySet(RestrictedQuerySet["Zone"]):
    def active(self):
        return self.filter(lifted_at__isnull=True)

    def restrict(self, user, action: str = "view", *, within: str = ""):
        """Zones drawn inside the user's regions, and zones drawn over them from above.

        A grid worker must see the community-wide zone their grid lies in, though it was drawn
        (and is scoped) at the community.
        """
        inside = super().restrict(user, action, within=within)
        paths = scope_paths(user, self.model.permission_resource, action)
        if paths is EVERYWHERE:
            return inside
        covering = {
            ancestor
            for path in paths
            if path.startswith(within) or within.startswith(path)
            for ancestor in ancestor_paths(within if within.startswith(path) else path)
        }
        if not covering:
            return inside
        over = ZoneRegion.objects.filter(path__in=covering).values("zone_id")
        return self.filter(Q(pk__in=inside.values("pk")) | Q(pk__in=over))


class Zone(models.Model):
    """A sealed / controlled / risk area over one or more regions; everyone living there is in it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类别"), max_length=32)
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="+", verbose_name=_("防控方案")
    )
    name = models.CharField(_("名称"), max_length=100)
    reason = models.TextField(_("划定原因"))
    starts_at = models.DateTimeField(_("开始时间"))
    # The common ancestor of its regions: the scope in which staff see and lift it.
    region_path = models.CharField(max_length=18)
    # A zone lowered from another kind (high → medium) continues its predecessor's clean days.
    predecessor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="successors"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lift_reason = models.TextField(_("解除说明"), blank=True)

    objects = ZoneQuerySet.as_manager()
    permission_resource = "zone"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("管控区域")
        verbose_name_plural = _("管控区域")
        indexes = [models.Index(fields=["lifted_at", "region_path"], name="zone_active")]

    def __str__(self) -> str:
        return self.name


class ZoneRegion(models.Model):
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="areas")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=18)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["zone", "region"], name="unique_zone_region")
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.path}"


class Status(models.Model):
    """A person's current colour: derived, one row per person, rewritten by recompute."""

    # No database constraint: rows are derived and copied in by the million, and the
    # constraint's per-row check at commit cost as much as writing them. Deleting a person
    # through Django still deletes the row (on_delete runs in the ORM).
    person = models.OneToOneField(
        "people.Person",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="health_status",
        db_constraint=False,
    )
    region_path = models.CharField(max_length=18)
    colour = models.CharField(_("颜色"), max_length=8, choices=Colour.choices)
    reasons = models.JSONField(_("原因"), default=list)
    valid_until = models.DateTimeField(_("有效至"), null=True, blank=True)
    policy_version = models.CharField(_("防控方案"), max_length=50)
    manual = models.BooleanField(_("人工判定"), default=False)
    computed_at = models.DateTimeField(_("计算时间"))

    objects = RestrictedQuerySet.as_manager()
    permission_resource = "person"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("健康状态")
        verbose_name_plural = _("健康状态")
        indexes = [
            models.Index(fields=["region_path", "colour"], name="status_region_colour"),
            models.Index(
                fields=["valid_until"], condition=Q(valid_until__isnull=False), name="status_expiry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_colour_display()}"


class ColourCount(models.Model):
    """How many status rows of a colour there are at a region path: kept by the database's
    triggers on health_status (migration 0008) for every insert, update, delete and copy,
    whoever writes, so that a city's colours are read from a few thousand rows instead of
    grouping a million statuses. Written by nothing else."""

    pk = models.CompositePrimaryKey("region_path", "colour")
    region_path = models.CharField(max_length=18)
    colour = models.CharField(max_length=8, choices=Colour.choices)
    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("健康码人数")
        verbose_name_plural = _("健康码人数")

    def __str__(self) -> str:
        return f"{self.region_path} {self.colour} {self.count}"


class Appeal(models.Model):
    """纠错: a resident contests a fact or a zone behind their colour; another officer decides.

    Accepting an appeal against a fact retracts the fact. Accepting one against a zone records
    the decision; the officer then corrects the address or the zone, which changes the colour.
    """

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        ACCEPTED = "accepted", _("已采纳")
        REJECTED = "rejected", _("已驳回")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="appeals")
    # What is contested: a fact behind the colour, or living in a zone (e.g. moved out).
    fact = models.ForeignKey(
        Fact, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    zone = models.ForeignKey(
        "Zone", null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    region_path = models.CharField(max_length=18)
    reason = models.TextField(_("申诉理由"))
    # Who filed it: the resident (portal) or staff on their behalf.
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_by_name = models.CharField(max_length=150)
    on_behalf = models.BooleanField(_("代为申诉"), default=False)
    filed_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("处理意见"), blank=True)
    retraction = models.ForeignKey(
        Fact, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    permission_resource = "appeal"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        indexes = [models.Index(fields=["state", "region_path", "filed_at"], name="appeal_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(fact__isnull=False) | Q(zone__isnull=False), name="appeal_contests"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_state_display()}"


class ManualDecision(models.Model):
    """A colour the rules do not give, set by one officer and approved by a second."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已生效")
        REJECTED = "rejected", _("已驳回")
        REVOKED = "revoked", _("已撤销")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="manual_decisions"
    )
    region_path = models.CharField(max_length=18)
    colour = models.CharField(_("颜色"), max_length=8, choices=Colour.choices)
    reason = models.TextField(_("理由"))
    expires_at = models.DateTimeField(_("到期时间"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_by_name = models.CharField(max_length=150)
    proposed_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by_name = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = "decision"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("人工判定")
        verbose_name_plural = _("人工判定")
        indexes = [
            models.Index(fields=["person", "state", "expires_at"], name="decision_person"),
            models.Index(fields=["region_path", "proposed_at"], name="decision_region"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_colour_display()}"


class RecomputeRun(models.Model):
    """A recompute handed to the task worker: what it covers, who runs it, how far it got.

    Statuses are recomputed from facts and upserted, so a recompute whose worker died is run
    again from the start by recovery (`health.recovery`) with the same result; this record is
    what lets recovery know that it was running, and what it covered."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # "all", "under" (paths) or "persons" (person ids): the task that runs it.
    scope = models.CharField(max_length=16)
    targets = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    message = models.TextField(blank=True)
    persons_done = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    progressed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state"], name="recomputerun_state")]

    def __str__(self) -> str:
        return f"recompute {self.scope} {self.state}"

    @property
    def stalled(self) -> bool:
        """Running with its worker gone or silent, or queued with no worker taking it for
        FANGYI_JOB_STALLED_MINUTES: recovery or a worker is needed, and the page says so."""
        from fangyi.core import workers

        if self.state == self.State.RUNNING:
            return workers.abandoned(self.worker, self.progressed_at)
        if self.state == self.State.QUEUED:
            waiting_since = self.progressed_at or self.created_at
            return timezone.now() - waiting_since > workers.stale_after()
        return False
