"""The day's problem list (急难愁盼清单): the only code that writes lists and their items.

A list is one per region (a city or a district) and Beijing day. Making it reads the tickets
received since the start of yesterday (Beijing) in the region and writes an item for each of:

- the categories with the most tickets (the first `TOP`, at least `AT_LEAST` tickets each);
- the communities with the most tickets (the same);
- each ticket past its limit and still open (the most overdue first, at most `MAX_TICKETS`);
- each caller (by phone number) who called `AT_LEAST` times or more;
- each callback answered "not satisfied" since yesterday.

Confidential (psychological-help) tickets count in none of them: the list is read by staff
who may not see those tickets. Making a list again (on demand, or the periodic job running
twice) updates its items in place, each kept by its `(kind, key)`; an item no longer found is
removed unless someone has already written its outcome. Items put on the list by hand name a
handling unit and may be marked "fix today". The next morning yesterday's list is closed: an
item still waiting is marked not fixed, so that the history says what was done each day.
"""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.masking import mask_phone
from fangyi.core.models import ObjectChange
from fangyi.core.permissions import ADD, CHANGE, VIEW, can, require
from fangyi.regions.models import Level, Region, looks_like_code

from ..clock import BEIJING
from ..models import (
    OPEN_STATES,
    Callback,
    CallbackState,
    Category,
    HandlingUnit,
    Outcome,
    ProblemItem,
    ProblemKind,
    ProblemList,
    Satisfaction,
    Ticket,
    unit_ids_of,
)
from .area import PROBLEM_LIST

TOP = 5
AT_LEAST = 2
MAX_TICKETS = 50
MAX_TITLE = 200
MAX_NOTE = 1000
LIST_LEVELS = (Level.CITY, Level.DISTRICT)
COMMUNITY_PATH = 12
ITEM_FIELDS = ["kind", "title", "unit_id", "fix_today", "outcome", "note"]


def lists_for(user, action: str = VIEW) -> QuerySet[ProblemList]:
    return ProblemList.objects.restrict(user, action).select_related("region")


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=BEIJING)


def beijing_today(now: datetime.datetime | None = None) -> datetime.date:
    return (now or timezone.now()).astimezone(BEIJING).date()


def region_for(user, code: str) -> Region | None:
    """The city or district of this code whose lists the user sees; None for anything else
    (a code that is not digits is no region: PostgreSQL cannot compare text holding NUL)."""
    if not looks_like_code(code):
        return None
    region = Region.objects.filter(code=code, level__in=LIST_LEVELS).first()
    if region is None or not can(user, PROBLEM_LIST, VIEW, region.path):
        return None
    return region


def _check_region(region: Region) -> None:
    if region.level not in LIST_LEVELS:
        raise ValidationError({"region": _("清单按市或区县生成。")})


@dataclass(frozen=True)
class Found:
    kind: str
    key: str
    title: str
    count: int
    ticket_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = None


def _tickets(region: Region, since: datetime.datetime, until: datetime.datetime):
    return Ticket.objects.filter(
        region_path__startswith=region.path,
        confidential=False,
        received_at__gte=since,
        received_at__lt=until,
    )


def _categories(region: Region, since, until) -> list[Found]:
    rows = (
        _tickets(region, since, until)
        .values("category_id")
        .annotate(n=Count("id"))
        .filter(n__gte=AT_LEAST)
        .order_by("-n", "category_id")[:TOP]
    )
    names = dict(Category.objects.values_list("id", "name"))
    return [
        Found(
            ProblemKind.CATEGORY,
            str(row["category_id"]),
            _("%(category)s：%(n)d 件") % {"category": names[row["category_id"]], "n": row["n"]},
            row["n"],
        )
        for row in rows
    ]


def _places(region: Region, since, until) -> list[Found]:
    rows = (
        _tickets(region, since, until)
        .annotate(community=Substr("region_path", 1, COMMUNITY_PATH))
        .values("community")
        .annotate(n=Count("id"))
        .filter(n__gte=AT_LEAST)
        .order_by("-n", "community")[:TOP]
    )
    rows = [row for row in rows if len(row["community"]) == COMMUNITY_PATH]
    names = dict(
        Region.objects.filter(path__in=[row["community"] for row in rows]).values_list(
            "path", "name"
        )
    )
    return [
        Found(
            ProblemKind.PLACE,
            row["community"],
            _("%(place)s：%(n)d 件") % {"place": names.get(row["community"], ""), "n": row["n"]},
            row["n"],
        )
        for row in rows
    ]


def _overdue(region: Region, now) -> list[Found]:
    tickets = (
        Ticket.objects.filter(
            region_path__startswith=region.path,
            confidential=False,
            state__in=OPEN_STATES,
            due_at__lt=now,
        )
        .select_related("category")
        .order_by("due_at", "id")[:MAX_TICKETS]
    )
    return [
        Found(
            ProblemKind.OVERDUE,
            str(ticket.pk),
            _("%(number)s %(category)s 已超时")
            % {"number": ticket.number, "category": ticket.category},
            1,
            ticket.pk,
            ticket.unit_id,
        )
        for ticket in tickets
    ]


def _repeated(region: Region, since, until) -> list[Found]:
    rows = (
        _tickets(region, since, until)
        .exclude(caller_phone="")
        .values("caller_phone")
        .annotate(n=Count("id"), last=Max("received_at"))
        .filter(n__gte=AT_LEAST)
        .order_by("-n", "caller_phone")[:MAX_TICKETS]
    )
    found = []
    for row in rows:
        latest = (
            _tickets(region, since, until)
            .filter(caller_phone=row["caller_phone"])
            .order_by("-received_at", "-id")
            .values("id", "unit_id")
            .first()
        )
        assert latest is not None
        found.append(
            Found(
                ProblemKind.REPEATED,
                # The number itself is the key so that the list finds the caller again; the
                # title, which is shown and exported, masks it.
                row["caller_phone"],
                _("来电 %(phone)s 重复来电 %(n)d 次")
                % {"phone": mask_phone(row["caller_phone"]), "n": row["n"]},
                row["n"],
                latest["id"],
                latest["unit_id"],
            )
        )
    return found


def _not_satisfied(region: Region, since, until) -> list[Found]:
    callbacks = (
        Callback.objects.filter(
            region_path__startswith=region.path,
            ticket__confidential=False,
            state=CallbackState.DONE,
            result=Satisfaction.NOT_SATISFIED,
            done_at__gte=since,
            done_at__lt=until,
        )
        .select_related("about", "about__category")
        .order_by("done_at", "id")[:MAX_TICKETS]
    )
    return [
        Found(
            ProblemKind.NOT_SATISFIED,
            str(callback.pk),
            _("%(number)s %(category)s 回访不满意")
            % {"number": callback.about.number, "category": callback.about.category},
            1,
            callback.about_id,
            callback.about.unit_id,
        )
        for callback in callbacks
    ]


def find_problems(region: Region, *, since: datetime.datetime, now: datetime.datetime):
    return [
        *_categories(region, since, now),
        *_places(region, since, now),
        *_overdue(region, now),
        *_repeated(region, since, now),
        *_not_satisfied(region, since, now),
    ]


def _write(problem_list: ProblemList, found: list[Found]) -> None:
    existing = {
        (item.kind, item.key): item
        for item in problem_list.items.exclude(kind=ProblemKind.MANUAL).select_for_update()
    }
    wanted = {(entry.kind, entry.key): entry for entry in found}
    for key, item in existing.items():
        if key in wanted:
            entry = wanted[key]
            if (item.title, item.count) != (entry.title, entry.count):
                item.title, item.count = entry.title, entry.count
                item.save(update_fields=["title", "count"])
        elif item.outcome == Outcome.PENDING and not item.note:
            item.delete()
    ProblemItem.objects.bulk_create(
        [
            ProblemItem(
                problem_list=problem_list,
                kind=entry.kind,
                key=entry.key,
                title=entry.title[:MAX_TITLE],
                count=entry.count,
                ticket_id=entry.ticket_id,
                unit_id=entry.unit_id,
            )
            for key, entry in wanted.items()
            if key not in existing
        ]
    )


def _list_of(region: Region, day: datetime.date, now: datetime.datetime) -> ProblemList:
    since = _start_of(day - datetime.timedelta(days=1))
    try:
        with transaction.atomic():
            problem_list, _created = ProblemList.objects.get_or_create(
                region=region,
                day=day,
                defaults={"region_path": region.path, "since": since, "made_at": now},
            )
    except IntegrityError:
        problem_list = ProblemList.objects.get(region=region, day=day)
    return problem_list


def make_list(*, actor, region: Region, now: datetime.datetime | None = None) -> ProblemList:
    """Makes (or makes again) the region's list of today. `actor` None: the periodic job."""
    if actor is not None:
        require(actor, PROBLEM_LIST, ADD, region.path, message=_("您无权生成该区域的清单。"))
    _check_region(region)
    now = now or timezone.now()
    day = beijing_today(now)
    with transaction.atomic():
        problem_list = _list_of(region, day, now)
        problem_list = ProblemList.objects.select_for_update().get(pk=problem_list.pk)
        if problem_list.closed_at is not None:
            raise ValidationError({"day": _("该清单已关闭。")})
        _write(problem_list, find_problems(region, since=problem_list.since, now=now))
        problem_list.made_at = now
        problem_list.save(update_fields=["made_at"])
        if actor is not None:
            audit.record_change(
                actor=actor,
                action=ObjectChange.UPDATE,
                obj=problem_list,
                before=None,
                after={"day": day.isoformat(), "items": problem_list.items.count()},
                region_path=problem_list.region_path,
            )
    return problem_list


def close_before(*, day: datetime.date, now: datetime.datetime | None = None) -> int:
    """Closes the lists of days before `day`: their items still waiting are not fixed.
    Answers how many lists it closed."""
    now = now or timezone.now()
    with transaction.atomic():
        open_lists = list(
            ProblemList.objects.select_for_update()
            .filter(day__lt=day, closed_at__isnull=True)
            .values_list("pk", flat=True)
        )
        ProblemItem.objects.filter(problem_list_id__in=open_lists, outcome=Outcome.PENDING).update(
            outcome=Outcome.NOT_FIXED, outcome_at=now
        )
        ProblemList.objects.filter(pk__in=open_lists).update(closed_at=now)
    return len(open_lists)


def list_regions() -> Iterable[Region]:
    return Region.objects.filter(level__in=LIST_LEVELS).order_by("path")


def make_due_lists(*, now: datetime.datetime | None = None) -> int:
    """The periodic job: once the configured hour has passed, closes the lists of earlier
    days and makes today's for every city and district that has none yet. Answers how many
    lists it made."""
    now = now or timezone.now()
    if now.astimezone(BEIJING).hour < settings.FANGYI_HOTLINE_PROBLEM_LIST_HOUR:
        return 0
    return make_day_lists(now=now)


def make_day_lists(*, now: datetime.datetime) -> int:
    """What the periodic job does once the hour has passed, as at `now`: closes the lists of
    the days before and makes the day's for every city and district that has none yet (the
    demo makes its past week's lists so). Answers how many lists it made."""
    day = beijing_today(now)
    close_before(day=day, now=now)
    made = set(ProblemList.objects.filter(day=day).values_list("region_id", flat=True))
    count = 0
    for region in list_regions():
        if region.pk not in made:
            make_list(actor=None, region=region, now=now)
            count += 1
    return count


def _text(value: str, field: str, limit: int, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("请填写此项。")})
    if len(text) > limit:
        raise ValidationError({field: _("最多 %(n)d 个字。") % {"n": limit}})
    return text


def units_for(problem_list: ProblemList) -> QuerySet[HandlingUnit]:
    """The units an item of the list may be given to: active, in the list's region."""
    return HandlingUnit.objects.filter(
        active=True, region_path__startswith=problem_list.region_path
    ).order_by("name")


def add_item(
    *,
    actor,
    problem_list: ProblemList,
    title: str,
    unit: HandlingUnit | None,
    fix_today: bool = False,
    now: datetime.datetime | None = None,
) -> ProblemItem:
    """Puts a problem on the list by hand, with the unit that is to fix it. `now`: when it
    was put on (the demo's past lists)."""
    require(actor, PROBLEM_LIST, ADD, problem_list.region_path, message=_("您无权修改该清单。"))
    if problem_list.closed_at is not None:
        raise ValidationError({"title": _("该清单已关闭。")})
    title = _text(title, "title", MAX_TITLE, required=True)
    if unit is None or not units_for(problem_list).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("请选择清单所在区域的承办单位。")})
    now = now or timezone.now()
    with transaction.atomic():
        item = ProblemItem.objects.create(
            problem_list=problem_list,
            kind=ProblemKind.MANUAL,
            key=f"manual-{now.timestamp():.6f}",
            title=title,
            unit=unit,
            fix_today=fix_today,
            added_by=actor,
            created_at=now,
        )
        audit.record_change(
            actor=actor,
            action=ObjectChange.CREATE,
            obj=item,
            before=None,
            after=audit.snapshot(item, ITEM_FIELDS),
            region_path=problem_list.region_path,
        )
    return item


def may_set_outcome(user, item: ProblemItem) -> bool:
    """Who writes what became of an item: whoever may change the list, or a member or
    supervisor of the item's unit."""
    if can(user, PROBLEM_LIST, CHANGE, item.problem_list.region_path):
        return True
    return item.unit_id is not None and item.unit_id in unit_ids_of(user)


def items_for(user) -> QuerySet[ProblemItem]:
    """Items the user sees: those of the lists they see, and those given to their units."""
    lists = ProblemList.objects.restrict(user, VIEW).values("pk")
    return ProblemItem.objects.filter(
        Q(problem_list__in=lists) | Q(unit_id__in=unit_ids_of(user))
    ).select_related("problem_list", "problem_list__region", "unit", "ticket")


def set_outcome(
    *,
    actor,
    item: ProblemItem,
    outcome: str,
    note: str,
    now: datetime.datetime | None = None,
) -> ProblemItem:
    """The unit says whether the problem was fixed, and how. `now`: when it said so (the
    demo's past lists)."""
    if not may_set_outcome(actor, item):
        raise PermissionDenied(_("您无权反馈该事项。"))
    if outcome not in (Outcome.FIXED, Outcome.NOT_FIXED):
        raise ValidationError({"outcome": _("请选择已解决或未解决。")})
    note = _text(note, "note", MAX_NOTE, required=outcome == Outcome.NOT_FIXED)
    with transaction.atomic():
        item = (
            ProblemItem.objects.select_for_update().select_related("problem_list").get(pk=item.pk)
        )
        if item.problem_list.closed_at is not None:
            raise ValidationError({"outcome": _("该清单已关闭。")})
        before = audit.snapshot(item, ITEM_FIELDS)
        item.outcome, item.note = outcome, note
        item.outcome_by, item.outcome_at = actor, now or timezone.now()
        item.save(update_fields=["outcome", "note", "outcome_by", "outcome_at"])
        audit.record_change(
            actor=actor,
            action=ObjectChange.UPDATE,
            obj=item,
            before=before,
            after=audit.snapshot(item, ITEM_FIELDS),
            region_path=item.problem_list.region_path,
        )
    return item
