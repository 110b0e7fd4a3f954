"""Investigation pages: the list with today's 管控内/社会面 figure and the form that opens one,
an investigation's page (clocks, team, places, contacts, each with its form), the chains and
one chain's graph."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.accounts.models import RoleAssignment
from fangyi.core.pagination import InvalidCursor, keyset_page
from fangyi.core.permissions import ADD, CHANGE, MATRIX, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.health.models import Fact
from fangyi.people.models import Person
from fangyi.regions.filters import chosen_region
from fangyi.regions.models import Region, ancestor_paths

from . import chains, services
from .area import CONTACT, INVESTIGATION
from .forms import (
    ChainFilterForm,
    ClockForm,
    ConfirmForm,
    ContactForm,
    DismissForm,
    EditForm,
    FilterForm,
    FoundForm,
    MemberForm,
    OpenForm,
    PlaceForm,
    ProposeForm,
)
from .models import Contact, ContactState, Investigation

NEWEST_FIRST = ("-found_at", "-id")
BY_TIME = ("start", "id")
BY_RECORDING = ("created_at", "id")
# The chain page draws every node; beyond this the list under the graph shows the cases only.
LISTED_NODES = 200


def _require_view(user) -> None:
    if not can(user, INVESTIGATION, VIEW):
        raise PermissionDenied


def _visible(request, pk) -> Investigation:
    return get_object_or_404(
        Investigation.objects.restrict(request.user, VIEW).select_related("person"), pk=pk
    )


def _visible_contact(request, pk) -> Contact:
    return get_object_or_404(
        Contact.objects.restrict(request.user, VIEW).select_related(
            "person", "investigation__person"
        ),
        pk=pk,
    )


def _to_detail(investigation_id):
    return redirect(reverse("investigations:detail", args=[investigation_id]))


def _say(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _form_errors(request, form) -> None:
    messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))


def _today_figure(user) -> chains.NewCases:
    return chains.new_cases(Fact.objects.restrict(user, VIEW), timezone.localdate())


@login_required
def investigation_list(request):
    """流调: investigations in the user's regions, newest case first; GET lists, POST opens."""
    user = request.user
    _require_view(user)
    open_form = OpenForm(request.POST or None)
    if request.method == "POST":
        if not can(user, INVESTIGATION, ADD):
            raise PermissionDenied
        if open_form.is_valid():
            people = Person.objects.restrict(user, VIEW)
            if open_form.cleaned_data["person"]:
                person = people.filter(pk=open_form.cleaned_data["person"]).first()
            else:
                number = open_form.cleaned_data["id_number"].strip().upper()
                person = people.filter(id_number=number).first()
            if person is None:
                open_form.add_error("id_number", _("辖区内没有该证件号码的居民。"))
            else:
                try:
                    investigation, created = services.open_investigation(actor=user, person=person)
                except ValidationError as exc:
                    open_form.add_error("id_number", " ".join(exc.messages))
                else:
                    if created:
                        messages.success(request, _("已立案流调。"))
                    return _to_detail(investigation.pk)
    form = FilterForm(request.GET)
    form.is_valid()
    region = chosen_region(request, form)
    investigations = Investigation.objects.none()
    if region is not False:
        investigations = Investigation.objects.restrict(
            user, VIEW, within=region.path if region else ""
        ).select_related("person")
        if form.cleaned_data.get("state"):
            investigations = investigations.filter(state=form.cleaned_data["state"])
    cases = _found_cases(user, form, region)
    rows, next_cursor = cursor_page(request, investigations, NEWEST_FIRST)
    late = {
        pk
        for pk in Investigation.objects.filter(
            services.late_condition(timezone.now()), pk__in=[row.pk for row in rows]
        ).values_list("pk", flat=True)
    }
    for row in rows:
        row.late = row.pk in late
    return render(
        request,
        "investigations/list.html",
        {
            "form": form,
            "open_form": open_form if can(user, INVESTIGATION, ADD) else None,
            "investigations": rows,
            "next_cursor": next_cursor,
            "figure": _today_figure(user),
            "cases": cases,
        },
    )


def _found_cases(user, form, region) -> list | None:
    """The day's new cases the filter names (`day`, and `found`: controlled or community), as
    persons with their investigation if one is open; None when no day is asked for."""
    day = form.cleaned_data.get("day")
    if day is None or region is False:
        return None
    within = region.path if region else ""
    found = chains.found_cases(Fact.objects.restrict(user, VIEW, within=within), day)
    wanted = form.cleaned_data.get("found")
    chosen = {
        person_id: case
        for person_id, case in found.items()
        if not wanted or case.controlled == (wanted == "controlled")
    }
    opened = dict(Investigation.objects.filter(person_id__in=chosen).values_list("person_id", "pk"))
    people = Person.objects.restrict(user, VIEW).filter(pk__in=chosen).order_by("region_path", "id")
    return [
        {"person": person, "case": chosen[person.pk], "investigation": opened.get(person.pk)}
        for person in people
    ]


def _places_page(request, investigation: Investigation):
    """The places' own keyset page (`?places=`), beside the contacts' (`?cursor=`)."""
    places = investigation.places.select_related("venue")
    try:
        return keyset_page(
            places,
            ordering=BY_TIME,
            cursor=request.GET.get("places") or None,
            size=settings.FANGYI_PAGE_SIZE,
        )
    except InvalidCursor:
        return keyset_page(places, ordering=BY_TIME, cursor=None, size=settings.FANGYI_PAGE_SIZE)


def _candidates(investigation: Investigation) -> list:
    """Staff who may see the investigation: those the team may be made of."""
    roles = [role for role, grants in MATRIX.items() if VIEW in grants.get(INVESTIGATION, ())]
    holders = RoleAssignment.objects.filter(
        role__in=roles, region_path__in=ancestor_paths(investigation.region_path)
    ).values("user_id")
    return list(
        get_user_model().objects.filter(pk__in=holders, is_active=True).order_by("username")[:200]
    )


@login_required
def investigation_detail(request, pk):
    investigation = _visible(request, pk)
    user = request.user
    may_change = can(user, INVESTIGATION, CHANGE, investigation.region_path)
    may_contact = can(user, CONTACT, ADD, investigation.region_path)
    contacts, next_cursor = cursor_page(
        request, investigation.contacts.select_related("person", "region", "task"), BY_RECORDING
    )
    places, next_places = _places_page(request, investigation)
    linked = [c.person_id for c in contacts if c.state == ContactState.LINKED]
    cases = set(
        Investigation.objects.filter(person_id__in=linked).values_list("person_id", flat=True)
    )
    positive = set(
        Fact.objects.filter(chains.NEW_CASE, person_id__in=set(linked) - cases)
        .filter(retractions__isnull=True)
        .values_list("person_id", flat=True)
    )
    for contact in contacts:
        contact.is_case = contact.person_id in cases
        # Turned positive, not investigated yet: their own investigation opens from here.
        contact.to_open = contact.person_id in positive
    return render(
        request,
        "investigations/detail.html",
        {
            "investigation": investigation,
            "clocks": services.clocks(investigation),
            "team": investigation.team.select_related("user"),
            "places": places,
            "next_places": next_places,
            "contacts": contacts,
            "next_cursor": next_cursor,
            "may_change": may_change,
            "may_contact": may_contact,
            "may_open": can(user, INVESTIGATION, ADD),
            "edit_form": EditForm(
                initial={"notes": investigation.notes, "state": investigation.state}
            ),
            "member_form": MemberForm(candidates=_candidates(investigation))
            if may_change
            else None,
            "clock_form": ClockForm(),
            "place_form": PlaceForm(),
            "propose_form": ProposeForm(),
            "contact_form": ContactForm(initial={"exposure_at": timezone.localtime()}),
            "confirm_form": ConfirmForm(),
            "dismiss_form": DismissForm(),
            "found_form": FoundForm(),
        },
    )


@login_required
@require_POST
def investigation_edit(request, pk):
    investigation = _visible(request, pk)
    form = EditForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_detail(pk)
    try:
        services.update(
            actor=request.user,
            investigation=investigation,
            notes=form.cleaned_data["notes"],
            state=form.cleaned_data["state"],
        )
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(request, _("已保存。"))
    return _to_detail(pk)


@login_required
@require_POST
def investigation_team(request, pk):
    """Adds one member to the team (or changes their role); `remove` takes one off."""
    investigation = _visible(request, pk)
    members = {m.user_id: (m.user, m.role) for m in investigation.team.select_related("user")}
    removing = request.POST.get("remove", "")
    if removing:
        members = {key: value for key, value in members.items() if str(key) != removing}
    else:
        form = MemberForm(request.POST, candidates=_candidates(investigation))
        if not form.is_valid():
            _form_errors(request, form)
            return _to_detail(pk)
        user = get_user_model().objects.get(pk=form.cleaned_data["user"])
        members[user.pk] = (user, form.cleaned_data["role"])
    try:
        services.set_team(
            actor=request.user, investigation=investigation, members=list(members.values())
        )
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(request, _("已更新流调队伍。"))
    return _to_detail(pk)


@login_required
@require_POST
def investigation_clock(request, pk):
    investigation = _visible(request, pk)
    return _act(
        request,
        ClockForm(request.POST),
        lambda data: services.record_clock(
            actor=request.user,
            investigation=investigation,
            stage=data["stage"],
            at=data["at"] or timezone.now(),
        ),
        _("已登记时间。"),
        back=pk,
    )


@login_required
@require_POST
def place_add(request, pk):
    investigation = _visible(request, pk)
    return _act(
        request,
        PlaceForm(request.POST),
        lambda data: services.add_place(actor=request.user, investigation=investigation, **data),
        _("已添加地点。"),
        back=pk,
    )


@login_required
@require_POST
def propose(request, pk):
    investigation = _visible(request, pk)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_detail(pk)
    try:
        proposal = services.propose(
            actor=request.user, investigation=investigation, **form.cleaned_data
        )
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(
            request,
            _("新增 %(places)d 个地点、%(contacts)d 名待核实的接触者。")
            % {"places": proposal.places, "contacts": proposal.contacts},
        )
        if proposal.truncated:
            messages.warning(request, _("同场所人员过多，只列出了一部分；请缩短时间窗口。"))
    return _to_detail(pk)


@login_required
@require_POST
def contact_add(request, pk):
    investigation = _visible(request, pk)
    user = request.user
    form = ContactForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_detail(pk)
    data = form.cleaned_data
    person = services.find_resident(
        actor=user, id_number=data["id_number"], name=data["name"], phone=data["phone"]
    )
    if person is None and data["id_number"]:
        messages.error(request, _("辖区内没有该证件号码的居民；未登记的请填写姓名、地址和网格。"))
        return _to_detail(pk)
    region = None
    if person is None and data["region"]:
        region = Region.objects.filter(code=data["region"]).first()
        if region is None:
            messages.error(request, _("没有这个区域。"))
            return _to_detail(pk)
    try:
        contact = services.record_contact(
            actor=user,
            investigation=investigation,
            category=data["category"],
            exposure_at=data["exposure_at"],
            person=person,
            name=data["name"],
            phone=data["phone"],
            address=data["address"],
            region=region,
            place_text=data["place_text"],
        )
    except ValidationError as exc:
        _say(request, exc)
    else:
        if contact.state == ContactState.LINKED:
            messages.success(request, _("已登记接触者，并记录健康事实。"))
        else:
            messages.success(request, _("已登记接触者，并向其所在网格派发查找任务。"))
    return _to_detail(pk)


def _act(request, form, act, done: str, *, back):
    """A form posted from an investigation's page: checked, the service called with its data,
    the refusal or `done` said, and back to investigation `back`."""
    if not form.is_valid():
        _form_errors(request, form)
        return _to_detail(back)
    try:
        act(form.cleaned_data)
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(request, done)
    return _to_detail(back)


@login_required
@require_POST
def contact_confirm(request, pk):
    contact = _visible_contact(request, pk)
    return _act(
        request,
        ConfirmForm(request.POST),
        lambda data: services.confirm_contact(
            actor=request.user, contact=contact, category=data["category"]
        ),
        _("已确认接触者，并记录健康事实。"),
        back=contact.investigation_id,
    )


@login_required
@require_POST
def contact_dismiss(request, pk):
    contact = _visible_contact(request, pk)
    return _act(
        request,
        DismissForm(request.POST),
        lambda data: services.dismiss_contact(
            actor=request.user, contact=contact, reason=data["reason"]
        ),
        _("已排除。"),
        back=contact.investigation_id,
    )


@login_required
@require_POST
def contact_found(request, pk):
    contact = _visible_contact(request, pk)
    form = FoundForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_detail(contact.investigation_id)
    number = form.cleaned_data["id_number"].strip().upper()
    person = Person.objects.restrict(request.user, VIEW).filter(id_number=number).first()
    if person is None:
        messages.error(request, _("辖区内没有该证件号码的居民，请先在居民页面登记。"))
        return _to_detail(contact.investigation_id)
    try:
        services.contact_found(actor=request.user, contact=contact, person=person)
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(request, _("已关联居民，查找任务已办结。"))
    return _to_detail(contact.investigation_id)


def _day_start(day: datetime.date | None):
    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time.min, timezone.get_current_timezone())


def _chain_filters(request):
    form = ChainFilterForm(request.GET)
    form.is_valid()
    region = chosen_region(request, form)
    since = _day_start(form.cleaned_data.get("since"))
    until = form.cleaned_data.get("until")
    until = _day_start(until + datetime.timedelta(days=1)) if until else None
    return form, region, since, until


@login_required
def chain_list(request):
    """传播链: chains whose first case is in the user's regions, with their figures."""
    user = request.user
    _require_view(user)
    form, region, since, until = _chain_filters(request)
    roots = Investigation.objects.none()
    if region is not False:
        roots = Investigation.objects.restrict(user, VIEW).filter(source_contact__isnull=True)
        if region or since or until:
            cases = Investigation.objects.restrict(user, VIEW, within=region.path if region else "")
            cases = chains.in_window(cases, "found_at", since, until)
            roots = roots.filter(pk__in=cases.values("chain_root_id"))
    rows, next_cursor = cursor_page(request, roots.select_related("person"), NEWEST_FIRST)
    return render(
        request,
        "investigations/chain_list.html",
        {
            "form": form,
            "chains": chains.figures(rows),
            "next_cursor": next_cursor,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def chain_detail(request, pk):
    """One chain's graph: cases and contacts across generations, each node opens the person."""
    investigation = _visible(request, pk)
    form, region, since, until = _chain_filters(request)
    data = {"nodes": [], "links": []}
    if region is not False:
        data = chains.graph(
            investigation, since=since, until=until, within=region.path if region else ""
        )
    root = Investigation.objects.select_related("person").get(
        pk=investigation.chain_root_id or investigation.pk
    )
    figure = chains.figures([root])[0]
    cases = [node for node in data["nodes"] if node["kind"] == "case"][:LISTED_NODES]
    return render(
        request,
        "investigations/chain.html",
        {
            "investigation": investigation,
            "root": root,
            "figure": figure,
            "form": form,
            "graph": {
                **data,
                "categories": [
                    {"name": _("病例")},
                    {"name": _("密切接触者")},
                    {"name": _("次密切接触者")},
                ],
            },
            "cases": cases,
            "node_count": len(data["nodes"]),
        },
    )
