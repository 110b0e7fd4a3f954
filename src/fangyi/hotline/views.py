"""The hotline's pages for staff: a unit's inbox by time left, the command centre's overdue
board (督办), the operators' callback queue, a ticket's page, and the caller's earlier tickets
and household as the intake page's number is typed. Reads go through queries.py, which starts
from `restrict`; writes go through the area's services."""

import datetime
import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core.api import page_of
from fangyi.core.forms import add_service_errors
from fangyi.core.pagination import InvalidCursor
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.schemas import PageParams
from fangyi.fieldwork.area import TASK
from fangyi.health.area import APPEAL
from fangyi.health.models import Fact, FactKind, Zone
from fangyi.health.views.common import FACT_ORDERING, fact_label, zone_kind_label
from fangyi.people.models import Household, Person
from fangyi.regions.models import Level, Region, ancestor_paths
from fangyi.supplies import services as supplies
from fangyi.supplies.area import SUPPLY_REQUEST
from fangyi.supplies.models import HELP_KINDS

from . import queries, services
from .area import TICKET
from .forms import (
    AppealForm,
    CallbackForm,
    FieldTaskForm,
    IntakeForm,
    MergeForm,
    NoteForm,
    PlaceForm,
    ReasonForm,
    ReplyForm,
    SupplyForm,
)
from .models import (
    OPEN_STATES,
    TO_DISPATCH,
    Callback,
    CallbackState,
    Category,
    State,
    Ticket,
    Urgency,
)

PAGE = 50
# A cursor is a few dozen characters; anything much longer was not issued here.
CURSOR_LONGEST = 500
# The caller lookup answers for a number or an ID's last four, never a page of text.
LOOKUP_LONGEST = 40
# The records an appeal from a ticket may contest are the household's recent ones.
APPEAL_FACTS = 50


def _cursor(request) -> PageParams:
    cursor = request.GET.get("cursor") or None
    if cursor is not None and (len(cursor) > CURSOR_LONGEST or "\x00" in cursor):
        raise Http404
    return PageParams(cursor=cursor, limit=PAGE)


def _paged(request, rows, ordering):
    try:
        return page_of(rows, ordering=ordering, page=_cursor(request))
    except InvalidCursor as exc:
        raise Http404 from exc


def time_left(delta: datetime.timedelta) -> str:
    """A span as days, hours and minutes, the largest two that are not zero."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)s 天 %(hours)s 小时") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s 小时 %(minutes)s 分") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s 分") % {"minutes": minutes}


def with_clocks(rows, now: datetime.datetime | None = None):
    """Each open ticket's clock: green, amber past 80 % of its limit, red past its limit."""
    moment = now or timezone.now()
    for row in rows:
        if row.state in OPEN_STATES:
            row.clock = (
                "red" if row.due_at <= moment else "amber" if row.warn_at <= moment else "green"
            )
            row.clock_text = time_left(row.due_at - moment)
        else:
            row.clock = None
    return rows


def _need(user, action: str = VIEW) -> None:
    if not can(user, TICKET, action):
        raise PermissionDenied


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


@login_required
def inbox(request):
    """待办: the open tickets of the user's units, the soonest due (the overdue) first."""
    user = request.user
    _need(user)
    units = queries.units_of(user)
    chosen = queries.InboxFilter(
        unit=_uuid_or_none(request.GET.get("unit", "")[:40]),
        state=request.GET.get("state", "")[:20],
        urgency=request.GET.get("urgency", "")[:20],
        overdue_only=request.GET.get("overdue") == "1",
        everything=request.GET.get("all") == "1",
        region=request.GET.get("region", "")[:40],
    )
    found, next_cursor = _paged(request, queries.inbox(user, chosen), queries.BY_TIME_LEFT)
    return render(
        request,
        "hotline/inbox.html",
        {
            "rows": with_clocks(found),
            "next_cursor": next_cursor,
            "units": units,
            "chosen": chosen,
            "states": [(state.value, state.label) for state in OPEN_STATES],
            "urgencies": Urgency.choices,
            "may_take_in": can(user, TICKET, ADD),
        },
    )


@login_required
def overdue(request):
    """督办: late and escalated tickets in the user's scope, summed up by unit, then listed."""
    user = request.user
    _need(user)
    now = timezone.now()
    found, next_cursor = _paged(request, queries.late(user, now=now), queries.BY_TIME_LEFT)
    return render(
        request,
        "hotline/overdue.html",
        {
            "by_unit": [] if request.GET.get("cursor") else queries.late_by_unit(user, now=now),
            "rows": with_clocks(found, now),
            "next_cursor": next_cursor,
        },
    )


@login_required
def callbacks(request):
    """回访: resolved tickets whose callers are still to be called, the oldest first; with a
    `day`, the callbacks answered that day (in a `region`), as the command centre counts."""
    user = request.user
    _need(user)
    day = _day_or_none(request.GET.get("day", "")[:20])
    if day is not None:
        rows = queries.callbacks_done(user, day=day, region=request.GET.get("region", "")[:40])
        found, next_cursor = _paged(request, rows, queries.CALLBACK_ORDER)
    else:
        found, next_cursor = _paged(request, queries.callbacks_due(user), queries.CALLBACK_ORDER)
    return render(
        request,
        "hotline/callbacks.html",
        {"rows": found, "next_cursor": next_cursor, "day": day},
    )


def _day_or_none(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def ticket_of(user, pk: uuid.UUID, action: str = VIEW) -> Ticket:
    return get_object_or_404(
        queries.tickets(user, action).select_related("caller", "duplicate_of", "intake_by"), pk=pk
    )


@login_required
def ticket(request, pk: uuid.UUID):
    """Everything about a ticket: its state, unit, clock and escalations, its events,
    callers, callbacks and the work it started."""
    user = request.user
    _need(user)
    found = with_clocks([ticket_of(user, pk)])[0]
    merged = list(queries.tickets(user).filter(duplicate_of=found).order_by("received_at", "id"))
    may_change = can(user, TICKET, CHANGE, found.region_path)
    dispatcher = may_change and services.is_dispatcher(user, found.region_path)
    worker = may_change and services.works_for(user, found.unit_id)
    is_open = found.state in OPEN_STATES
    may_appeal = (
        (worker or dispatcher)
        and is_open
        and found.caller is not None
        and found.caller.household_id is not None
        and can(user, APPEAL, ADD, found.region_path)
    )
    # resolve_place's own condition: an operator, a ticket not yet closed.
    may_place = (
        dispatcher and not found.place_resolved and found.state in (*OPEN_STATES, State.RESOLVED)
    )
    place_buildings = queries.buildings_for_place(user, found) if may_place else []
    return render(
        request,
        "hotline/ticket.html",
        {
            "ticket": found,
            "events": list(found.events.select_related("unit", "actor").order_by("at", "id")),
            "escalations": list(found.events.filter(kind="escalate").order_by("at", "id")),
            "callbacks": list(found.callbacks.order_by("created_at", "id")),
            "links": queries.started_work(user, found),
            "merged": merged,
            "may_dispatch": dispatcher and found.state in (*TO_DISPATCH, State.DISPATCHED),
            "may_accept": worker and found.state == State.DISPATCHED,
            "may_return": worker and found.state in (State.DISPATCHED, State.ACCEPTED),
            "may_reply": worker and found.state == State.ACCEPTED,
            "may_note": may_change and (is_open or found.state == State.RESOLVED),
            "may_merge": dispatcher and is_open,
            "may_supply": (worker or dispatcher)
            and is_open
            and can(user, SUPPLY_REQUEST, ADD, found.region_path),
            "may_task": (worker or dispatcher)
            and is_open
            and found.caller_id is not None
            and can(user, TASK, ADD, found.region_path),
            "pending_callbacks": [
                each for each in found.callbacks.all() if each.state == CallbackState.PENDING
            ]
            if dispatcher
            else [],
            "reason_form": ReasonForm(),
            "note_form": NoteForm(),
            "reply_form": ReplyForm(initial={"text": found.reply}),
            "callback_form": CallbackForm(),
            "merge_form": MergeForm(),
            "supply_form": SupplyForm(),
            "task_form": FieldTaskForm(),
            "may_appeal": may_appeal,
            "appeal_form": _appeal_form(user, found) if may_appeal else None,
            "may_place": may_place,
            "place_buildings": place_buildings,
            "place_form": PlaceForm(buildings=place_buildings),
        },
    )


@login_required
def caller(request):
    """The intake page's fragment: as the number is typed, the caller's household and
    earlier tickets."""
    user = request.user
    _need(user, ADD)
    number = request.GET.get("number", "")
    history = (
        queries.caller_history(user, number)
        if len(number) <= LOOKUP_LONGEST
        else queries.NO_HISTORY
    )
    return render(
        request,
        "hotline/_caller.html",
        {"history": history, "number": number[:LOOKUP_LONGEST]},
    )


# Intake


def _intake_region(user, form: IntakeForm, caller: Person | None) -> Region | None:
    """The place: the region code typed, else the caller's building."""
    code = form.cleaned_data["region"]
    if code:
        found = queries.intake_regions(user).filter(code=code).first()
        if found is None:
            form.add_error("region", _("没有这个区域代码，或其不在您的辖区内。"))
        return found
    if caller is not None:
        return Region.objects.filter(path=caller.region_path).first()
    form.add_error("region", _("请填写区域代码，或从查找结果中选择来电居民。"))
    return None


def _chosen_caller(user, request, form: IntakeForm) -> Person | None:
    chosen = _uuid_or_none(request.POST.get("caller_person", "")[:40])
    if chosen is None:
        return None
    caller = services.callers_of(user).filter(pk=chosen).first()
    if caller is None:
        form.add_error(None, _("所选来电居民不在您受理的区域内。"))
    return caller


def _suggested_duplicates(user, draft: Ticket) -> list[Ticket]:
    """The core's duplicate candidates for a ticket not yet saved, as far as the user sees."""
    found = [each.pk for each in services.duplicate_candidates(draft)]
    return list(
        queries.tickets(user).filter(pk__in=found, state__in=OPEN_STATES).order_by("-received_at")
    )


@login_required
def intake(request):
    """受理: the operator's one page while on the phone. As the number is typed the caller's
    household and earlier tickets appear; tickets of the same caller or the same building and
    category in the last 24 hours are offered before saving, to merge into."""
    user = request.user
    _need(user, ADD)
    form = IntakeForm(request.POST or None)
    duplicates: list[Ticket] = []
    number = request.POST.get("number", "")[:20] if request.method == "POST" else ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        caller = _chosen_caller(user, request, form)
        region = _intake_region(user, form, caller)
        category = Category.objects.filter(code=data["category"], active=True).first()
        phone = "".join(data["number"].split())
        if len(phone) == 4:
            phone = ""
        if region is not None and category is not None and not form.errors:
            draft = Ticket(
                caller=caller,
                caller_phone=phone or (caller.phone if caller else ""),
                region_path=region.path,
                place_resolved=region.level == Level.BUILDING,
                category=category,
                received_at=timezone.now(),
            )
            duplicates = _suggested_duplicates(user, draft)
            into = None
            if request.POST.get("merge_into"):
                into = next(
                    (each for each in duplicates if str(each.pk) == request.POST["merge_into"]),
                    None,
                )
                if into is None:
                    form.add_error(None, _("要合并到的工单已办结或不可见，请重新选择。"))
            if not form.errors and (not duplicates or request.POST.get("confirmed") or into):
                try:
                    made = services.intake(
                        actor=user,
                        channel=data["channel"],
                        category=category,
                        description=data["description"],
                        region=region,
                        address=data["address"],
                        urgency=data["urgency"],
                        caller=services.CallerInput(
                            person=caller, name=data["caller_name"], phone=phone
                        ),
                        dispatch_now=True,
                    )
                    if into is not None:
                        services.merge(actor=user, ticket=made, into=into)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    return redirect(f"{request.path}?saved={made.pk}")
    saved = None
    if request.method == "GET" and request.GET.get("saved"):
        saved_pk = _uuid_or_none(request.GET["saved"][:40])
        saved = queries.tickets(user).filter(pk=saved_pk).first() if saved_pk else None
        if saved is not None:
            with_clocks([saved])
    history = queries.caller_history(user, number) if number else queries.NO_HISTORY
    return render(
        request,
        "hotline/intake.html",
        {
            "form": form,
            "duplicates": duplicates,
            "saved": saved,
            "history": history,
            "number": number,
        },
    )


# Actions on a ticket


def _act(request, pk: uuid.UUID, form_class, run, done: str):
    """Runs one action's form through its service and goes back to the ticket's page with
    what it said; a refusal of the service (not the unit's ticket, not an operator) is a 403."""
    user = request.user
    _need(user, CHANGE)
    found = ticket_of(user, pk)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect("hotline:ticket", pk=pk)
    try:
        run(user, found, form.cleaned_data if form else {})
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect("hotline:ticket", pk=pk)


@login_required
@require_POST
def accept(request, pk: uuid.UUID):
    return _act(
        request,
        pk,
        None,
        lambda user, found, data: services.accept(actor=user, ticket=found),
        _("已签收。"),
    )


@login_required
@require_POST
def give_back(request, pk: uuid.UUID):
    return _act(
        request,
        pk,
        ReasonForm,
        lambda user, found, data: services.return_ticket(
            actor=user, ticket=found, reason=data["reason"]
        ),
        _("已退回派单。"),
    )


@login_required
@require_POST
def note(request, pk: uuid.UUID):
    return _act(
        request,
        pk,
        NoteForm,
        lambda user, found, data: services.add_note(actor=user, ticket=found, note=data["note"]),
        _("办理记录已保存。"),
    )


@login_required
@require_POST
def answer(request, pk: uuid.UUID):
    return _act(
        request,
        pk,
        ReplyForm,
        lambda user, found, data: services.reply(actor=user, ticket=found, text=data["text"]),
        _("答复已保存。"),
    )


@login_required
@require_POST
def resolve(request, pk: uuid.UUID):
    return _act(
        request,
        pk,
        ReplyForm,
        lambda user, found, data: services.resolve(actor=user, ticket=found, text=data["text"]),
        _("已办结，等待回访。"),
    )


@login_required
@require_POST
def dispatch(request, pk: uuid.UUID):
    return _act(
        request,
        pk,
        None,
        lambda user, found, data: services.dispatch(actor=user, ticket=found),
        _("已按派单规则派单。"),
    )


def _record_callback(user, found: Ticket, data) -> None:
    callback = Callback.objects.filter(
        pk=data["callback"], about=found, state=CallbackState.PENDING
    ).first()
    if callback is None:
        raise ValidationError({"callback": _("没有这个待回访记录。")})
    services.record_callback(
        actor=user, callback=callback, result=data["result"], note=data["note"]
    )


@login_required
@require_POST
def callback(request, pk: uuid.UUID):
    return _act(request, pk, CallbackForm, _record_callback, _("回访已记录。"))


def _merge(user, found: Ticket, data) -> None:
    if not data["confirmed"]:
        raise ValidationError({"confirmed": _("请勾选确认后再合并。")})
    into = queries.tickets(user).filter(number=data["into"].strip()).first()
    if into is None:
        raise ValidationError({"into": _("没有这个工单号，或其不在您的辖区内。")})
    services.merge(actor=user, ticket=found, into=into)


@login_required
@require_POST
def merge(request, pk: uuid.UUID):
    return _act(request, pk, MergeForm, _merge, _("已合并。"))


def _locate(user, found: Ticket, data) -> None:
    # Asked before the code is looked up, so that a refusal is a refusal (403), not a
    # message about a region the user could not have named.
    if not services.is_dispatcher(user, found.region_path):
        raise PermissionDenied(_("只有接线员可以定位工单。"))
    region = queries.ticket_regions(user, CHANGE).filter(code=data["code"]).first()
    if region is None:
        raise ValidationError({"region": _("没有这个区域代码，或其不在您的辖区内。")})
    services.resolve_place(actor=user, ticket=found, region=region)


@login_required
@require_POST
def place(request, pk: uuid.UUID):
    """An operator locates a place told in words: a building, or a region nearer to one."""
    return _act(request, pk, PlaceForm, _locate, _("工单已定位。"))


def _supply_household(user, found: Ticket, data) -> Household:
    if data["building"]:
        household = (
            Household.objects.restrict(user, ADD)
            .filter(building__code=data["building"], room=data["room"].strip())
            .first()
        )
        if household is None:
            raise ValidationError({"room": _("这栋楼没有这一户，或其不在您的辖区内。")})
        return household
    if found.caller is not None and found.caller.household_id:
        return found.caller.household
    raise ValidationError({"building": _("来电人没有登记住户：请填写楼栋代码和房号。")})


def _may_start_work(user, found: Ticket) -> None:
    """Asked before the form's own checks, so that a refusal is a refusal (403), not a
    message about the household the user could not have named."""
    if not (
        services.works_for(user, found.unit_id) or services.is_dispatcher(user, found.region_path)
    ):
        raise PermissionDenied(_("只有承办单位或接线员可以为工单发起办理。"))


def _start_supply(user, found: Ticket, data) -> None:
    _may_start_work(user, found)
    if not can(user, SUPPLY_REQUEST, ADD, found.region_path):
        raise PermissionDenied(_("您不能代居民提交物资需求。"))
    household = _supply_household(user, found, data)
    items = []
    if data["kind"] not in HELP_KINDS:
        if not data["item"]:
            raise ValidationError({"item": _("请填写物品或药品名称。")})
        items = [
            supplies.ItemInput(
                quantity=data["quantity"], name=data["item"], unit=data["unit"], dose=data["dose"]
            )
        ]
    draft = supplies.Draft(
        kind=data["kind"],
        items=items,
        person=found.caller if found.caller and found.caller.household_id == household.pk else None,
        urgency="urgent" if found.urgency == Urgency.URGENT else "normal",
        notes=data["notes"] or found.description[:500],
        chronic_condition=data["chronic_condition"],
    )
    services.start_supply_request(actor=user, ticket=found, household=household, draft=draft)


@login_required
@require_POST
def start_supply(request, pk: uuid.UUID):
    return _act(request, pk, SupplyForm, _start_supply, _("物资需求已发起，送达后工单自动办结。"))


def _start_task(user, found: Ticket, data) -> None:
    _may_start_work(user, found)
    if not can(user, TASK, ADD, found.region_path):
        raise PermissionDenied(_("您没有安排网格任务的权限。"))
    caller = found.caller
    if caller is None:
        raise ValidationError({"kind": _("匿名来电不能派网格任务：请先确认来电居民。")})
    services.start_field_task(
        actor=user,
        ticket=found,
        kind=data["kind"],
        person=caller,
        household=caller.household,
        notes=data["notes"],
    )


@login_required
@require_POST
def start_task(request, pk: uuid.UUID):
    return _act(request, pk, FieldTaskForm, _start_task, _("网格任务已发起，完成后工单自动办结。"))


@dataclass(frozen=True)
class AppealTargets:
    """What an appeal from a ticket may name: the caller's household (as far as the user
    sees it), the active zones their building lies in, and their recent standing records."""

    people: dict[str, Person]
    zones: dict[str, Zone]
    facts: dict[str, Fact]

    def person_choices(self) -> list[tuple[str, str]]:
        return [(key, person.masked_name) for key, person in self.people.items()]

    def target_choices(self) -> list[tuple[str, str]]:
        zones = [
            (
                f"zone:{key}",
                _("管控区域：%(name)s（%(kind)s）")
                % {"name": zone.name, "kind": zone_kind_label(zone)},
            )
            for key, zone in self.zones.items()
        ]
        facts = [
            (f"fact:{key}", f"{fact.person.masked_name} · {fact_label(fact)}")
            for key, fact in self.facts.items()
        ]
        return zones + facts


def appeal_targets(user, found: Ticket) -> AppealTargets:
    caller = found.caller
    if caller is None or caller.household_id is None:
        return AppealTargets({}, {}, {})
    people = list(
        Person.objects.restrict(user, VIEW)
        .filter(household_id=caller.household_id)
        .order_by("birth_date", "id")
    )
    zones = (
        Zone.objects.active()
        .filter(areas__path__in=ancestor_paths(caller.region_path))
        .select_related("policy")
        .distinct()
        .order_by("-starts_at")
    )
    facts = (
        Fact.objects.restrict(user, VIEW)
        .filter(person__in=people, retractions__isnull=True)
        .exclude(kind=FactKind.RETRACTION)
        .select_related("person")
        .order_by(*FACT_ORDERING)[:APPEAL_FACTS]
    )
    return AppealTargets(
        people={str(person.pk): person for person in people},
        zones={str(zone.pk): zone for zone in zones},
        facts={str(fact.pk): fact for fact in facts},
    )


def _appeal_form(user, found: Ticket, data=None) -> AppealForm:
    targets = appeal_targets(user, found)
    return AppealForm(
        data,
        people=targets.person_choices(),
        targets=targets.target_choices(),
        initial={"person": str(found.caller_id)},
    )


def _start_appeal(request):
    def run(user, found: Ticket, _data) -> None:
        _may_start_work(user, found)
        if not can(user, APPEAL, ADD, found.region_path):
            raise PermissionDenied(_("您不能代居民提出健康码申诉。"))
        if found.caller is None or found.caller.household_id is None:
            raise ValidationError({"person": _("来电人没有登记住户：请先确认来电居民。")})
        targets = appeal_targets(user, found)
        form = AppealForm(
            request.POST,
            people=targets.person_choices(),
            targets=targets.target_choices(),
        )
        if not form.is_valid():
            raise ValidationError(
                [
                    f"{form.fields[name].label}：{error}" if name in form.fields else error
                    for name, errors in form.errors.items()
                    for error in errors
                ]
            )
        kind, _sep, key = form.cleaned_data["target"].partition(":")
        services.start_appeal(
            actor=user,
            ticket=found,
            person=targets.people[form.cleaned_data["person"]],
            reason=form.cleaned_data["reason"],
            fact=targets.facts.get(key) if kind == "fact" else None,
            zone=targets.zones.get(key) if kind == "zone" else None,
        )

    return run


@login_required
@require_POST
def start_appeal(request, pk: uuid.UUID):
    return _act(
        request, pk, None, _start_appeal(request), _("健康码申诉已提交，处理后工单自动办结。")
    )
