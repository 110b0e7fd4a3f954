"""Sweeps, their doors (one per household of the regions), the buildings a grid leader gave to
someone, and the visits uploaded from the phones.

A door keeps the running figures of its visits (state, misses, people confirmed, newcomers,
arrivals), so that coverage is a GROUP BY over doors alone. Visits are kept as they came,
under the id the phone gave them: uploading the same visit again finds it and writes nothing.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core.querysets import RestrictedQuerySet

from .area import SWEEP, SWEEP_VISIT


class SweepStatus(models.TextChoices):
    RUNNING = "running", _("进行中")
    ENDED = "ended", _("已结束")


class DoorState(models.TextChoices):
    TO_VISIT = "to_visit", _("待走访")
    VISITED = "visited", _("已走访")
    NOT_ANSWERED = "not_answered", _("敲门未应，待再访")
    # After the second door not answered: the community finds the household another way.
    LISTED = "listed", _("两次未应，交社区")


class Outcome(models.TextChoices):
    ANSWERED = "answered", _("已入户")
    NOT_ANSWERED = "not_answered", _("敲门未应")


# A door answered counts as visited; the others stay on the worklist.
MISSES_TO_LIST = 2


class RefusedPart(models.TextChoices):
    """The part of a visit's answers a service refused (a visit's `problems[].what`)."""

    MEMBERS = "members", _("现住人员")
    NEWCOMERS = "newcomers", _("新增人员")
    FACTS = "facts", _("健康事实（返回、体温与症状）")
    NEEDS = "needs", _("特殊需求")


# The problem of a visit set aside as a conflict: waiting for the community's choice, not
# refused by anyone.
CONFLICT_PROBLEM = "conflict"


def refused_count(problems: list[dict]) -> int:
    return sum(1 for problem in problems if problem.get("what") != CONFLICT_PROBLEM)


class Sweep(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(_("名称"), max_length=100)
    # The lowest region above every region swept: where the sweep is seen from.
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("范围")
    )
    region_path = models.CharField(max_length=18, editable=False)
    # The regions the officer chose, as paths.
    region_paths = models.JSONField(_("排查区域"), default=list)
    # The question set, as data (questions.default_questions builds it from the plan in force).
    questions = models.JSONField(_("问题"), default=list)
    policy_code = models.CharField(_("防控方案"), max_length=40, blank=True)
    deadline = models.DateTimeField(_("截止时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=SweepStatus.choices, default=SweepStatus.RUNNING
    )
    household_count = models.PositiveIntegerField(_("户数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = SWEEP
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("入户排查")
        verbose_name_plural = _("入户排查")
        indexes = [models.Index(fields=["region_path", "id"], name="sweep_scope")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sweeps:detail", args=[self.pk])

    @property
    def running(self) -> bool:
        return self.status == SweepStatus.RUNNING

    @property
    def source(self) -> str:
        """The fieldwork source of its visits' tasks."""
        return f"sweeps:{self.pk}"


class Door(models.Model):
    """One household of a sweep: a visit to make, and what the visits found."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sweep = models.ForeignKey(Sweep, on_delete=models.CASCADE, related_name="doors")
    household = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=18)
    state = models.CharField(
        _("状态"), max_length=12, choices=DoorState.choices, default=DoorState.TO_VISIT
    )
    misses = models.PositiveSmallIntegerField(_("未应次数"), default=0)
    visits = models.PositiveSmallIntegerField(_("走访次数"), default=0)
    # Two answered visits of one household: both kept, the second not applied.
    conflict = models.BooleanField(_("重复走访"), default=False)
    confirmed = models.PositiveSmallIntegerField(_("核实人数"), default=0)
    newcomers = models.PositiveSmallIntegerField(_("新增人数"), default=0)
    arrivals = models.PositiveSmallIntegerField(_("返回人数"), default=0)
    visited_at = models.DateTimeField(_("走访时间"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = SWEEP
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("排查户")
        verbose_name_plural = _("排查户")
        constraints = [
            models.UniqueConstraint(fields=["sweep", "household"], name="door_once_per_sweep")
        ]
        indexes = [
            models.Index(fields=["sweep", "region_path", "id"], name="door_sweep_path"),
            models.Index(fields=["sweep", "state", "region_path"], name="door_sweep_state"),
        ]

    def __str__(self) -> str:
        return f"{self.sweep} {self.household}"


class Assignment(models.Model):
    """A building of a sweep given to a member of the grid team."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sweep = models.ForeignKey(Sweep, on_delete=models.CASCADE, related_name="assignments")
    building = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=18)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = SWEEP
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("楼栋分工")
        verbose_name_plural = _("楼栋分工")
        constraints = [
            models.UniqueConstraint(fields=["sweep", "building"], name="sweep_building_once")
        ]
        indexes = [models.Index(fields=["assignee", "sweep"], name="sweep_assignee")]

    def __str__(self) -> str:
        return f"{self.sweep} {self.building}"


class Visit(models.Model):
    """A visit as the phone recorded it, under the id the phone gave it."""

    id = models.UUIDField(primary_key=True, editable=False)
    sweep = models.ForeignKey(Sweep, on_delete=models.CASCADE, related_name="visit_rows")
    door = models.ForeignKey(Door, on_delete=models.CASCADE, related_name="visit_rows")
    region_path = models.CharField(max_length=18)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    worker_name = models.CharField(max_length=150, blank=True)
    visited_at = models.DateTimeField(_("走访时间"))
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices)
    answers = models.JSONField(_("回答"), default=dict)
    conflict = models.BooleanField(_("重复走访"), default=False)
    # What the answers became (person and fact ids), and what could not be done and why.
    effects = models.JSONField(_("处理结果"), default=dict)
    problems = models.JSONField(_("待人工处理"), default=list)
    # How many of `problems` the services refused (all but the conflict flag), kept apart so
    # that the sweep's refused visits are found by an index, not by reading every visit.
    refused = models.PositiveSmallIntegerField(_("未采纳项数"), default=0)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = SWEEP_VISIT
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        indexes = [
            models.Index(fields=["door", "visited_at"], name="visit_door"),
            models.Index(
                fields=["sweep", "region_path", "id"],
                condition=models.Q(refused__gt=0),
                name="visit_refused",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.door} {self.get_outcome_display()}"


class ProblemKind(models.TextChoices):
    LISTED = "listed", _("两次未应")
    CONFLICT = "conflict", _("重复走访")


class Settlement(models.Model):
    """What the community did about a door's problem: a conflict settled by keeping one of
    its visits, or a household missed twice found another way (the note says how). Kept as
    rows of their own so that the doors written in bulk at the start need no new column."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sweep = models.ForeignKey(Sweep, on_delete=models.CASCADE, related_name="settlements")
    door = models.ForeignKey(Door, on_delete=models.CASCADE, related_name="settlements")
    region_path = models.CharField(max_length=18)
    kind = models.CharField(_("问题"), max_length=10, choices=ProblemKind.choices)
    kept = models.ForeignKey(
        Visit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("采用的走访"),
    )
    note = models.CharField(_("处理说明"), max_length=500, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    settled_by_name = models.CharField(max_length=150, blank=True)
    settled_at = models.DateTimeField(_("处理时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = SWEEP
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("排查问题处理")
        verbose_name_plural = _("排查问题处理")
        indexes = [models.Index(fields=["door", "kind"], name="settlement_door")]

    def __str__(self) -> str:
        return f"{self.door} {self.get_kind_display()}"
