"""Tasks for grid teams and volunteers: home sampling, follow-up visits, deliveries.

A task is about a person or a household and lives in their building's region. A grid leader
(or an officer above) assigns it to a grid worker, volunteer or leader of that region, who
records the result. Other areas create tasks in bulk through `services.create_tasks`, naming
themselves in `source` and each task's origin in `source_ref`, so a re-run creates nothing twice.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.accounts.models import RoleAssignment
from fangyi.core.paths import under
from fangyi.core.permissions import (
    ADD,
    EVERYWHERE,
    GRID_LEADER,
    GRID_WORKER,
    VIEW,
    VOLUNTEER,
    scope_paths,
)
from fangyi.core.querysets import RestrictedQuerySet

from .area import TASK


class TaskKind(models.TextChoices):
    HOME_SAMPLING = "home_sampling", _("上门采样")
    FOLLOW_UP_VISIT = "follow_up_visit", _("随访")
    DELIVERY = "delivery", _("配送上门")
    FEVER_REFERRAL = "fever_referral", _("发热门诊转诊")
    LOCATE_CONTACT = "locate_contact", _("查找密接人员")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待分派")
    ASSIGNED = "assigned", _("已分派")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未能完成")


class ReleaseCause(models.TextChoices):
    """Why a claimed task went back to the pool."""

    GIVEN_BACK = "given_back", _("认领人退回")
    STALE = "stale", _("认领后 2 小时未动，自动退回")


PENDING = (TaskStatus.OPEN, TaskStatus.ASSIGNED)
FINISHED = (TaskStatus.DONE, TaskStatus.FAILED)
# The kinds a grid's volunteers pick from the pool themselves ("我来送"); the others are
# given to someone by a leader.
POOLED_KINDS = (TaskKind.DELIVERY,)


# Who may take a task: the grid team of its region (or of a region above it).
TASK_TAKERS = (GRID_LEADER, GRID_WORKER, VOLUNTEER)


def taker_paths(user) -> list[str]:
    """The regions where the user is on the grid team: where they may take tasks."""
    return list(
        RoleAssignment.objects.filter(user=user, role__in=TASK_TAKERS).values_list(
            "region_path", flat=True
        )
    )


class TaskQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = VIEW, *, within: str = ""):
        """As for every model, narrowed further for grid workers and volunteers.

        The permission matrix lets them view and change tasks in their grid, but only the
        tasks given to them: where the user may not also create tasks, only theirs are shown.
        """
        rows = super().restrict(user, action, within=within)
        managed = scope_paths(user, TASK, ADD)
        if managed is EVERYWHERE:
            return rows
        condition = Q(assignee_id=user.pk) if user is not None and user.pk else Q(pk__in=[])
        for path in managed:
            condition |= under("region_path", path)
        return rows.filter(condition)

    def claimable_by(self, user):
        """Pooled tasks of every state in the regions where the user takes tasks: where a
        claim or an unclaim is looked up, so that a task someone else claimed first is found
        (and refused with a reason) while one of another grid does not exist for them."""
        if user is None or not user.pk or not user.is_active:
            return self.none()
        condition = Q(pk__in=[])
        for path in taker_paths(user):
            condition |= under("region_path", path)
        return self.filter(condition, kind__in=POOLED_KINDS)

    def pool(self, user):
        """What the user may claim now: pooled tasks nobody holds, in their grids."""
        return self.claimable_by(user).filter(status=TaskStatus.OPEN, assignee__isnull=True)

    def pending(self):
        return self.filter(status__in=PENDING)

    def overdue(self, now=None):
        return self.pending().filter(due_at__lt=now or timezone.now())

    def not_overdue(self, now=None):
        return self.exclude(status__in=PENDING, due_at__lt=now or timezone.now())


class Task(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("任务类型"), max_length=20, choices=TaskKind.choices)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
        verbose_name=_("居民"),
    )
    household = models.ForeignKey(
        "people.Household",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
        verbose_name=_("户"),
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区域")
    )
    region_path = models.CharField(max_length=18, editable=False)
    title = models.CharField(_("标题"), max_length=100, blank=True)
    notes = models.TextField(_("说明"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        verbose_name=_("承办人"),
    )
    due_at = models.DateTimeField(_("截止时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    started_at = models.DateTimeField(_("开始办理时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # Set when the assignee took the task from the pool themselves, not given it by a leader;
    # an unmoving claim goes back to the pool (services.release_stale_claims).
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    # The last time a claim was given back or taken back, why, and from whom.
    released_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    release_cause = models.CharField(
        _("退回原因"), max_length=12, choices=ReleaseCause.choices, blank=True
    )
    released_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("原认领人"),
    )
    note = models.TextField(_("办理情况"), blank=True)
    failure_reason = models.TextField(_("未能完成原因"), blank=True)
    # Structured outcome for the area that created the task (e.g. a tube barcode).
    result = models.JSONField(_("结果"), default=dict, blank=True)
    source = models.CharField(_("来源"), max_length=64, default="manual")
    source_ref = models.CharField(_("来源编号"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaskQuerySet.as_manager()
    permission_resource = "task"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        indexes = [
            # "My tasks": one worker's pending tasks, soonest due first.
            models.Index(fields=["assignee", "status", "due_at", "id"], name="task_mine"),
            # A leader's list: a region's range of paths, by status and due time.
            models.Index(fields=["region_path", "status", "due_at", "id"], name="task_region"),
            models.Index(fields=["person", "status"], name="task_person"),
            # The stale-claim sweep reads only claimed tasks still in hand.
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="assigned", claimed_at__isnull=False),
                name="task_claimed",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                # Locating a contact who is not registered yet names only a region.
                condition=Q(person__isnull=False)
                | Q(household__isnull=False)
                | Q(kind="locate_contact"),
                name="task_has_subject",
            ),
            # What lets other areas create tasks again without duplicating them.
            models.UniqueConstraint(
                fields=["kind", "source", "source_ref"],
                condition=~Q(source_ref=""),
                name="task_unique_source",
            ),
        ]

    def __str__(self) -> str:
        # The person's name stays masked: this string lands in audit rows.
        subject = self.person if self.person_id else self.household
        return f"{self.get_kind_display()} {subject or self.title}"

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:detail", args=[self.pk])

    @property
    def heading(self) -> str:
        return self.title or str(self.get_kind_display())

    @property
    def assignee_label(self) -> str:
        """The assignee's full name; their username only when no name is on record."""
        return "" if self.assignee is None else self.assignee.display_name()

    @property
    def work_url(self) -> str | None:
        """The page of the area that created the task, where it is worked, if it has one."""
        from . import workpages

        return workpages.url_for(self)

    @property
    def released_from_label(self) -> str:
        return "" if self.released_from is None else self.released_from.display_name()

    @property
    def pending(self) -> bool:
        return self.status in PENDING

    @property
    def overdue(self) -> bool:
        return self.pending and self.due_at < timezone.now()
