"""The day's problem lists' pages: the lists (a region's history by `?region=`), a list with
its items, an item put on it by hand, and an item's outcome."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core.forms import add_service_errors
from fangyi.core.permissions import ADD, VIEW, can
from fangyi.core.views import cursor_page

from ..models import ProblemKind
from . import services
from .area import PROBLEM_LIST
from .forms import ItemForm, MakeListForm, OutcomeForm

ORDERING = ("-day", "region_path", "id")


def _lists_page(request, form, *, status=200):
    user = request.user
    lists = services.lists_for(user)
    code = request.GET.get("region", "")
    region = None
    if code:
        region = services.region_for(user, code)
        if region is None:
            messages.warning(request, _("没有这个市或区县，或其不在您的辖区内。"))
            lists = lists.none()
        else:
            lists = lists.filter(region=region)
    rows, next_cursor = cursor_page(request, lists, ORDERING)
    return render(
        request,
        "hotline/problems/lists.html",
        {"lists": rows, "next_cursor": next_cursor, "form": form, "region": region},
        status=status,
    )


@login_required
def list_index(request):
    """急难愁盼清单: the lists the user sees, the latest day first."""
    if not can(request.user, PROBLEM_LIST, VIEW):
        raise PermissionDenied
    form = MakeListForm() if can(request.user, PROBLEM_LIST, ADD) else None
    return _lists_page(request, form)


@login_required
@require_POST
def make_list(request):
    user = request.user
    if not can(user, PROBLEM_LIST, ADD):
        raise PermissionDenied
    form = MakeListForm(request.POST)
    if form.is_valid():
        code = form.cleaned_data["region"]
        region = services.region_for(user, code)
        if region is None:
            form.add_error("region", _("没有这个市或区县，或其不在您的辖区内。"))
        else:
            try:
                problem_list = services.make_list(actor=user, region=region)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("清单已生成。"))
                return redirect("hotline_problems:detail", pk=problem_list.pk)
    return _lists_page(request, form, status=400)


@login_required
def list_detail(request, pk):
    problem_list = get_object_or_404(services.lists_for(request.user), pk=pk)
    items = list(problem_list.items.select_related("ticket", "unit"))
    sections = [
        (label, [item for item in items if item.kind == kind])
        for kind, label in ProblemKind.choices
    ]
    return render(
        request,
        "hotline/problems/detail.html",
        {
            "problem_list": problem_list,
            "sections": sections,
            "empty": not items,
            "may_answer": {
                item.pk for item in items if services.may_set_outcome(request.user, item)
            },
            "may_add": problem_list.closed_at is None
            and can(request.user, PROBLEM_LIST, ADD, problem_list.region_path),
        },
    )


@login_required
def add_item(request, pk):
    problem_list = get_object_or_404(services.lists_for(request.user), pk=pk)
    if not can(request.user, PROBLEM_LIST, ADD, problem_list.region_path):
        raise PermissionDenied
    form = ItemForm(request.POST or None, problem_list=problem_list)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_item(
                actor=request.user,
                problem_list=problem_list,
                title=form.cleaned_data["title"],
                unit=form.cleaned_data["unit"],
                fix_today=form.cleaned_data["fix_today"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已列入清单。"))
            return redirect("hotline_problems:detail", pk=problem_list.pk)
    return render(
        request,
        "hotline/problems/item_form.html",
        {"problem_list": problem_list, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def item_outcome(request, pk):
    item = get_object_or_404(services.items_for(request.user), pk=pk)
    if not services.may_set_outcome(request.user, item):
        raise PermissionDenied
    form = OutcomeForm(request.POST or None, initial={"note": item.note})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_outcome(
                actor=request.user,
                item=item,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已反馈。"))
            return redirect("hotline_problems:detail", pk=item.problem_list_id)
    return render(
        request,
        "hotline/problems/item_outcome.html",
        {"item": item, "form": form},
        status=400 if request.method == "POST" else 200,
    )
