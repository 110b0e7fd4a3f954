"""Residents and households: masked lists, detail with a logged reveal, forms over services."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core.forms import add_service_errors
from fangyi.core.permissions import ADD, CHANGE, REVEAL, VIEW, can
from fangyi.fieldwork.area import TASK
from fangyi.regions.filters import in_region_filter
from fangyi.regions.models import Level, Region

from . import services
from .area import HOUSEHOLD, PERSON
from .forms import HouseholdForm, PersonForm, PersonSearchForm, RevealForm
from .lists import person_page, render_person_page
from .models import Household, Person


@login_required
def person_list(request):
    form = PersonSearchForm(request.GET)
    form.is_valid()
    criteria = form.cleaned_data
    queryset, region = in_region_filter(request, form, Person.objects.all())
    queryset = queryset.search(criteria.get("q", ""))
    if criteria.get("tag"):
        queryset = queryset.with_tag(criteria["tag"])
    if criteria.get("status"):
        queryset = queryset.filter(residence_status=criteria["status"])
    if criteria.get("colour"):
        queryset = queryset.with_colour(criteria["colour"])
    persons, next_cursor = person_page(request, queryset)
    # Leaders tick residents to give each a task (a follow-up visit, a delivery…).
    select_persons = can(request.user, TASK, ADD)
    if request.headers.get("HX-Request"):
        return render_person_page(request, persons, next_cursor, select_persons=select_persons)
    response = render(
        request,
        "people/person_list.html",
        {
            "form": form,
            "region": region,
            "persons": persons,
            "next_cursor": next_cursor,
            "select_persons": select_persons,
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _visible_person(request, pk) -> Person:
    queryset = Person.objects.restrict(request.user, VIEW).select_related(
        "household__building__parent__parent__parent"
    )
    return get_object_or_404(queryset, pk=pk)


def _render_detail(request, person: Person, *, reveal_form=None, revealed=None):
    context = {
        "person": person,
        "reveal_form": reveal_form or RevealForm(),
        "revealed": revealed,
    }
    template = "people/person_detail.html"
    if request.headers.get("HX-Request"):
        template = "people/_person_identity.html"
    return render(request, template, context)


@login_required
def person_detail(request, pk):
    return _render_detail(request, _visible_person(request, pk))


@login_required
@require_POST
def person_reveal(request, pk):
    person = _visible_person(request, pk)
    if not can(request.user, PERSON, REVEAL, person.region_path):
        raise PermissionDenied
    form = RevealForm(request.POST)
    if form.is_valid():
        try:
            revealed = services.reveal_person(
                actor=request.user, person=person, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _render_detail(request, person, reveal_form=RevealForm(), revealed=revealed)
    return _render_detail(request, person, reveal_form=form)


@login_required
def person_edit(request, pk):
    person = _visible_person(request, pk)
    if not can(request.user, PERSON, CHANGE, person.region_path):
        raise PermissionDenied
    form = PersonForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(actor=request.user, person=person, changes=form.changes())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("people:person-detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person})


@login_required
def person_create(request):
    household = _visible_household(request, request.GET.get("household", ""))
    if not can(request.user, PERSON, ADD, household.region_path):
        raise PermissionDenied
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(
                actor=request.user, household=household, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已添加居民。"))
            return redirect("people:person-detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "household": household})


def _visible_household(request, pk) -> Household:
    try:
        pk = uuid.UUID(str(pk))
    except ValueError as exc:
        raise Http404 from exc
    queryset = Household.objects.restrict(request.user, VIEW).with_address()
    return get_object_or_404(queryset, pk=pk)


@login_required
def household_detail(request, pk):
    household = _visible_household(request, pk)
    members = (
        Person.objects.restrict(request.user, VIEW)
        .filter(household=household)
        .select_related("household__building")
        .order_by("birth_date", "id")
    )
    return render(
        request, "people/household_detail.html", {"household": household, "members": members}
    )


@login_required
def household_create(request):
    building = get_object_or_404(
        Region.objects.restrict(request.user, VIEW).filter(level=Level.BUILDING),
        code=request.GET.get("building", ""),
    )
    if not can(request.user, HOUSEHOLD, ADD, building.path):
        raise PermissionDenied
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.create_household(
                actor=request.user, building=building, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已添加户。"))
            return redirect("people:household-detail", pk=household.pk)
    return render(request, "people/household_form.html", {"form": form, "building": building})
