"""Tickets of the 12345 hotline and what they are worked with: the category tree, handling
units and the rules that route to them, every change as an event, callbacks, links to the work
a ticket started in other areas, and the calendar days an administrator enters for years the
official calendar package does not know yet."""

import uuid
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core.paths import under
from fangyi.core.permissions import ADMIN, COMMANDER, MATRIX, VIEW, Actor, assignments_of
from fangyi.core.querysets import RestrictedQuerySet

from . import presets
from .area import HOTLINE_SETUP, OPERATOR, TICKET
from .problems.area import PROBLEM_LIST


class Kind(models.TextChoices):
    EMERGENCY = presets.EMERGENCY, _("紧急求助")
    HELP = presets.HELP, _("求助")
    COMPLAINT = presets.COMPLAINT, _("投诉")


class Category(models.Model):
    """A node of the category tree; its kind sets the limit unless it sets its own."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级类别"),
    )
    kind = models.CharField(_("性质"), max_length=10, choices=Kind.choices)
    # A wall-clock limit in minutes (the hospital line's 30), ahead of the kind's.
    limit_minutes = models.PositiveIntegerField(_("时限（分钟）"), null=True, blank=True)
    # Working days instead of the kind's 3 or 13.
    limit_working_days = models.PositiveSmallIntegerField(
        _("时限（工作日）"), null=True, blank=True
    )
    # Psychological help: seen only by operators and the unit handling the ticket.
    confidential = models.BooleanField(_("保密"), default=False)
    active = models.BooleanField(_("在用"), default=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return str(self.name)

    def lineage(self) -> list["Category"]:
        """This category and its ancestors, nearest first (the tree is a few levels deep)."""
        chain: list[Category] = []
        node: Category | None = self
        while node is not None and len(chain) < 16:
            chain.append(node)
            node = node.parent
        return chain


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("职能部门")
    STREET = "street", _("街道专班")
    COMMUNITY = "community", _("社区专班")


class HandlingUnit(models.Model):
    """承办单位: a department serving a region (a city's health commission), or the team of a
    street or community. Its members work its tickets; its supervisors are told when one is
    about to be late."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=UnitKind.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区域")
    )
    region_path = models.CharField(max_length=18, editable=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="hotline_units", verbose_name=_("成员")
    )
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="supervised_hotline_units",
        verbose_name=_("分管负责人"),
    )
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = HOTLINE_SETUP
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        indexes = [
            models.Index(fields=["region_path", "id"], name="hotline_unit_scope"),
            models.Index(fields=["kind", "region_path"], name="hotline_unit_team"),
        ]

    def __str__(self) -> str:
        return self.name


class PlaceLevel(models.TextChoices):
    STREET = "street", _("所在街道的专班")
    COMMUNITY = "community", _("所在社区的专班")


class RoutingRule(models.Model):
    """Tickets of a category (any, when empty) in a region go to a unit, or to the team of
    the street or community the ticket is in. Of the rules that match, the one of the nearest
    category wins, then the one of the smallest region (services.route)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("类别"),
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区域")
    )
    region_path = models.CharField(max_length=18, editable=False)
    unit = models.ForeignKey(
        HandlingUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rules",
        verbose_name=_("承办单位"),
    )
    place_level = models.CharField(
        _("按所在地派给"), max_length=10, choices=PlaceLevel.choices, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = HOTLINE_SETUP
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "region_path"],
                condition=Q(category__isnull=False),
                name="hotline_rule_once",
            ),
            models.UniqueConstraint(
                fields=["region_path"],
                condition=Q(category__isnull=True),
                name="hotline_rule_once_any",
            ),
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(place_level=""))
                | (Q(unit__isnull=True) & ~Q(place_level="")),
                name="hotline_rule_one_target",
            ),
        ]
        indexes = [models.Index(fields=["region_path", "id"], name="hotline_rule_scope")]

    def __str__(self) -> str:
        return f"{self.category_id or '*'} @ {self.region_path}"


class Channel(models.TextChoices):
    PHONE = "phone", _("12345 电话")
    POLICE = "police", _("110 转办")
    CHAT = "chat", _("微信群")
    PORTAL = "portal", _("居民端")
    GRID = "grid", _("网格员")
    OPEN311 = "open311", _("Open311 接口")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    # Same day, whatever the category's kind.
    URGENT = "urgent", _("紧急")


class State(models.TextChoices):
    NEW = "new", _("待派单")
    RETURNED = "returned", _("退回待派")
    DISPATCHED = "dispatched", _("待签收")
    ACCEPTED = "accepted", _("办理中")
    RESOLVED = "resolved", _("已办结待回访")
    CLOSED = "closed", _("已回访")
    MERGED = "merged", _("已合并")


OPEN_STATES = (State.NEW, State.RETURNED, State.DISPATCHED, State.ACCEPTED)
# In the dispatcher's queue: not yet with a unit.
TO_DISPATCH = (State.NEW, State.RETURNED)


class Escalation(models.IntegerChoices):
    NONE = 0, _("未督办")
    # 80 % of the limit gone: the unit's supervisors are told.
    WARNED = 1, _("临期预警")
    # The limit passed, still open: the command centre follows it up (督办).
    OVERDUE = 2, _("超时督办")


def _ticket_scope(user: Actor, action: str, prefix: str = "") -> Q | None:
    """Which tickets of the user's matrix scope they see: operators all of them, the command
    centre and administrators all but the confidential ones, everyone else the tickets of the
    units they belong to and, unless confidential, those they took in. None: no narrowing
    (a superuser)."""
    if user is not None and getattr(user, "is_superuser", False) and user.is_active:
        return None
    path = f"{prefix}region_path"
    confidential = f"{prefix}confidential"
    held = [
        (role, region_path)
        for role, region_path in assignments_of(user)
        if action in MATRIX.get(role, {}).get(TICKET, frozenset())
    ]
    if not held:
        return Q(pk__in=[])
    condition = Q(**{f"{prefix}unit_id__in": unit_ids_of(user)})
    condition |= Q(**{f"{prefix}intake_by": user, confidential: False})
    for role, region_path in held:
        if role == OPERATOR:
            condition |= under(path, region_path)
        elif role in (COMMANDER, ADMIN):
            condition |= under(path, region_path) & Q(**{confidential: False})
    return condition


def sees(user: Actor, ticket: "Ticket", action: str = VIEW) -> bool:
    """Whether `Ticket.objects.restrict(user, action)` holds this ticket, answered from the
    ticket in hand without a statement (the same rules as RestrictedQuerySet.restrict and
    _ticket_scope, tested to agree in tests/hotline/test_sees.py): what an intake needs to
    answer with the ticket it wrote and the duplicates it suggests (finding 48). The units
    are read only when the roles alone do not decide."""
    if user is not None and getattr(user, "is_superuser", False) and user.is_active:
        return True
    path = ticket.region_path
    held = [
        scope
        for role, scope in assignments_of(user)
        if action in MATRIX.get(role, {}).get(TICKET, frozenset())
    ]
    if not any(path.startswith(scope) for scope in held):
        return False
    for role, scope in assignments_of(user):
        if action not in MATRIX.get(role, {}).get(TICKET, frozenset()):
            continue
        if path.startswith(scope) and (
            role == OPERATOR or (role in (COMMANDER, ADMIN) and not ticket.confidential)
        ):
            return True
    taker = ticket.intake_by_id
    if taker is not None and taker == getattr(user, "pk", None) and not ticket.confidential:
        return True
    return ticket.unit_id is not None and ticket.unit_id in unit_ids_of(user)


_UNITS_CACHE = "_fangyi_hotline_units"


def unit_ids_of(user: Actor) -> list[uuid.UUID]:
    """The handling units the user is a member or supervisor of, cached for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached: list[uuid.UUID] | None = getattr(user, _UNITS_CACHE, None)
    if cached is None:
        cached = list(
            HandlingUnit.objects.filter(Q(members=user) | Q(supervisors=user))
            .values_list("id", flat=True)
            .distinct()
        )
        setattr(user, _UNITS_CACHE, cached)
    return cached


class TicketQuerySet(RestrictedQuerySet["Ticket"]):
    def restrict(self, user: Actor, action: str = VIEW, *, within: str = "") -> Self:
        scoped = super().restrict(user, action, within=within)
        condition = _ticket_scope(user, action)
        return scoped if condition is None else scoped.filter(condition)

    def open(self) -> Self:
        return self.filter(state__in=OPEN_STATES)


class Ticket(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # 12345-YYYYMMDD-NNNNNN: the Beijing day it was received and its place in that day.
    number = models.CharField(_("工单号"), max_length=24)
    channel = models.CharField(_("来源渠道"), max_length=10, choices=Channel.choices)
    # The caller: a resident found by phone or ID tail, or a name and number as given. Both
    # may be blank (anonymous).
    caller = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("来电人"),
        db_index=False,
    )
    caller_name = models.CharField(_("来电人姓名"), max_length=50, blank=True)
    caller_phone = models.CharField(_("来电号码"), max_length=20, blank=True)
    # The place: a region as precise as known (down to a building); `address` as told, until
    # an operator resolves it to a building (`place_resolved`).
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在区域"),
        db_index=False,
    )
    region_path = models.CharField(max_length=18, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    place_resolved = models.BooleanField(_("已定位到楼栋"), default=False)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("类别"),
        db_index=False,
    )
    # A copy of the category's, so that the scope filter needs no join.
    confidential = models.BooleanField(default=False, editable=False)
    urgency = models.CharField(
        _("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    description = models.TextField(_("诉求内容"))
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.NEW)
    unit = models.ForeignKey(
        HandlingUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("承办单位"),
        db_index=False,
    )
    received_at = models.DateTimeField(_("受理时间"))
    # The limit's 80 % and 100 %, computed by the clock when the ticket is taken in or
    # reopened, so that the escalation sweep compares timestamps only.
    warn_at = models.DateTimeField(_("预警时间"))
    due_at = models.DateTimeField(_("办结时限"))
    escalation = models.PositiveSmallIntegerField(
        _("督办级别"), choices=Escalation.choices, default=Escalation.NONE
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        verbose_name=_("合并到"),
    )
    intake_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("受理人"),
        db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TicketQuerySet.as_manager()
    permission_resource = TICKET
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("热线工单")
        verbose_name_plural = _("热线工单")
        # A constraint rather than unique=True: no second, pattern index of the number. Each
        # index is rewritten by every escalation's update, so the foreign keys that a
        # composite index below already leads with (or whose rows are never deleted: regions,
        # categories, units) have none of their own.
        constraints = [models.UniqueConstraint(fields=["number"], name="hotline_ticket_number")]
        indexes = [
            models.Index(fields=["region_path", "id"], name="hotline_ticket_scope"),
            # A department's tickets across the city, newest first.
            models.Index(fields=["unit", "received_at"], name="hotline_ticket_unit"),
            # Lists, newest first, by keyset.
            models.Index(fields=["-received_at", "-id"], name="hotline_ticket_recent"),
            # The overdue board and a unit's inbox: open tickets by time left.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(state__in=OPEN_STATES),
                name="hotline_ticket_open_due",
            ),
            models.Index(
                fields=["unit", "due_at"],
                condition=Q(state__in=OPEN_STATES),
                name="hotline_ticket_unit_due",
            ),
            # The escalation sweep reads only the tickets still below each level.
            models.Index(
                fields=["warn_at"],
                condition=Q(state__in=OPEN_STATES, escalation=0),
                name="hotline_ticket_to_warn",
            ),
            models.Index(
                fields=["due_at"],
                condition=Q(state__in=OPEN_STATES, escalation__lt=2),
                name="hotline_ticket_to_overdue",
            ),
            # A caller's earlier tickets, and duplicates by caller.
            models.Index(fields=["caller", "received_at"], name="hotline_ticket_caller"),
            models.Index(fields=["caller_phone", "received_at"], name="hotline_ticket_phone"),
            # Duplicates by place and category.
            models.Index(
                fields=["region_path", "category", "received_at"], name="hotline_ticket_place"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class EventKind(models.TextChoices):
    INTAKE = "intake", _("受理")
    DISPATCH = "dispatch", _("派单")
    ACCEPT = "accept", _("签收")
    RETURN = "return", _("退回")
    NOTE = "note", _("办理记录")
    REPLY = "reply", _("答复")
    RESOLVE = "resolve", _("办结")
    ESCALATE = "escalate", _("督办")
    CALLBACK = "callback", _("回访")
    REOPEN = "reopen", _("重办")
    CLOSE = "close", _("结案")
    MERGE = "merge", _("合并")
    PLACE = "place", _("定位")
    LINK = "link", _("关联办理")
    LINK_DONE = "link_done", _("关联办理完成")


class TicketEvent(models.Model):
    """Every change of a ticket, with who made it and why; its own audit record (the sweep
    writes escalations in bulk, with no ObjectChange each). The sequential id never leaves
    the database: events are shown inside their ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    from_state = models.CharField(max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=State.choices, blank=True)
    unit = models.ForeignKey(
        HandlingUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(choices=Escalation.choices, null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("工单记录")
        verbose_name_plural = _("工单记录")
        indexes = [models.Index(fields=["ticket", "at"], name="hotline_event_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class CallbackState(models.TextChoices):
    PENDING = "pending", _("待回访")
    DONE = "done", _("已回访")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    NOT_SATISFIED = "not_satisfied", _("不满意")


class CallbackQuerySet(RestrictedQuerySet["Callback"]):
    def restrict(self, user: Actor, action: str = VIEW, *, within: str = "") -> Self:
        scoped = super().restrict(user, action, within=within)
        condition = _ticket_scope(user, action, prefix="ticket__")
        return scoped if condition is None else scoped.filter(condition)


class Callback(models.Model):
    """回访: once a ticket is resolved, an operator calls the caller back (and the caller of
    each ticket merged into it) and records how satisfied they are."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="callbacks")
    # The resolved ticket whose work is being asked about: the ticket itself, or the one its
    # ticket was merged into.
    about = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=18, editable=False)
    state = models.CharField(
        _("状态"), max_length=10, choices=CallbackState.choices, default=CallbackState.PENDING
    )
    result = models.CharField(_("满意度"), max_length=14, choices=Satisfaction.choices, blank=True)
    note = models.TextField(_("回访记录"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CallbackQuerySet.as_manager()
    permission_resource = TICKET
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        indexes = [
            models.Index(
                fields=["created_at", "id"],
                condition=Q(state="pending"),
                name="hotline_callback_pending",
            ),
            models.Index(fields=["region_path", "id"], name="hotline_callback_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.state}"


class LinkKind(models.TextChoices):
    SUPPLY_REQUEST = "supply_request", _("物资需求")
    HEALTH_APPEAL = "health_appeal", _("健康码纠错申诉")
    FIELD_TASK = "field_task", _("网格任务")


class TicketLink(models.Model):
    """Work in another area that a ticket started; the other side names the ticket too (the
    supply request's hotline_ticket, the task's source). When every link of a ticket is done,
    the ticket resolves."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("类型"), max_length=16, choices=LinkKind.choices)
    target_id = models.UUIDField()
    label = models.CharField(_("说明"), max_length=200, blank=True)
    done = models.BooleanField(_("已完成"), default=False)
    # Done as asked (delivered, decided, completed), or not (cancelled, failed).
    succeeded = models.BooleanField(_("办成"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("关联办理")
        verbose_name_plural = _("关联办理")
        constraints = [
            models.UniqueConstraint(fields=["kind", "target_id"], name="hotline_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.target_id}"


class CalendarDay(models.Model):
    """A day an administrator says is, or is not, a working day: for a year the official
    calendar package does not know yet (clock.py)."""

    day = models.DateField(_("日期"), primary_key=True)
    is_workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")

    def __str__(self) -> str:
        return f"{self.day} {self.is_workday}"


class DayCounter(models.Model):
    """The last ticket number given on a Beijing day (services.next_number)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class SetupVersion(models.Model):
    """One row: a new random value written by every change of the categories, units, rules or
    calendar days, in the changing transaction (setup_cache.py). Each process keeps those tables in
    memory and reads them again when this value is not the one it read them with."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.version


class Open311Key(models.Model):
    """A partner's key for filing requests through Open311 GeoReport v2 (POST requests.json).
    Only its SHA-256 is kept; the key is shown once, when it is issued. A key files tickets in
    its region only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.CharField(_("合作方"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The key's first characters, to tell keys apart in lists without keeping the key.
    prefix = models.CharField(_("前缀"), max_length=12, editable=False)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区域")
    )
    region_path = models.CharField(max_length=18, editable=False)
    active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = HOTLINE_SETUP
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("Open311 密钥")
        verbose_name_plural = _("Open311 密钥")

    def __str__(self) -> str:
        return f"{self.partner} {self.prefix}"


class ProblemList(models.Model):
    """急难愁盼清单: one a day per city and per district, made in the morning (or on demand)
    from the tickets since yesterday, with items added by hand; closed the next morning, when
    each item still waiting is marked not fixed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区域")
    )
    region_path = models.CharField(max_length=18, editable=False)
    day = models.DateField(_("日期"))
    # The tickets counted were received from `since` to `made_at`.
    since = models.DateTimeField()
    made_at = models.DateTimeField(_("生成时间"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = PROBLEM_LIST
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("急难愁盼清单")
        verbose_name_plural = _("急难愁盼清单")
        constraints = [
            models.UniqueConstraint(fields=["region", "day"], name="hotline_problem_list_once")
        ]
        indexes = [models.Index(fields=["region_path", "-day"], name="hotline_problem_scope")]

    def __str__(self) -> str:
        return f"{self.region_path} {self.day}"


class ProblemKind(models.TextChoices):
    CATEGORY = "category", _("高发类别")
    PLACE = "place", _("高发地点")
    OVERDUE = "overdue", _("超时工单")
    REPEATED = "repeated", _("重复来电")
    NOT_SATISFIED = "not_satisfied", _("回访不满意")
    MANUAL = "manual", _("人工列入")


class Outcome(models.TextChoices):
    PENDING = "pending", _("待反馈")
    FIXED = "fixed", _("已解决")
    NOT_FIXED = "not_fixed", _("未解决")


class ProblemItem(models.Model):
    """One line of a day's list: found in the tickets (its `key` says what it counts, so that
    making the list again updates it rather than adding it twice), or put there by hand with a
    unit that is to fix it today."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    problem_list = models.ForeignKey(ProblemList, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("类型"), max_length=14, choices=ProblemKind.choices)
    key = models.CharField(max_length=80)
    title = models.CharField(_("问题"), max_length=200)
    count = models.PositiveIntegerField(_("工单数"), default=0)
    ticket = models.ForeignKey(
        Ticket,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("工单"),
    )
    unit = models.ForeignKey(
        HandlingUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任单位"),
    )
    fix_today = models.BooleanField(_("当日解决"), default=False)
    outcome = models.CharField(
        _("办理结果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    note = models.TextField(_("单位说明"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("清单事项")
        verbose_name_plural = _("清单事项")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem_list", "kind", "key"], name="hotline_problem_item_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.problem_list_id} {self.kind} {self.key}"
