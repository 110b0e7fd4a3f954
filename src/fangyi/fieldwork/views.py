"""Task pages: "my tasks" on a grid worker's phone, a task's page to record its outcome, the
leaders' compact list of their regions' tasks (tick tasks, give them to one person), and tasks
made in bulk for chosen persons or a building's households."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core.forms import add_service_errors
from fangyi.core.permissions import ADD, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.people.models import Household, Person
from fangyi.regions.filters import in_region_filter
from fangyi.regions.models import Level, Region

from . import services
from .area import TASK
from .forms import (
    ALL_FILTER,
    PENDING_FILTER,
    AssignForm,
    BulkCreateForm,
    CompleteForm,
    FailForm,
    ReopenForm,
    SelectedTasksForm,
    TaskFilterForm,
)
from .models import POOLED_KINDS, Task, TaskKind, TaskStatus

ORDERING = ("due_at", "id")


def _with_subject(tasks):
    return tasks.select_related(
        "person",
        "household__building__parent__parent__parent",
        "region",
        "assignee",
        "released_from",
    )


def _visible_task(request, pk) -> Task:
    return get_object_or_404(_with_subject(Task.objects.restrict(request.user, VIEW)), pk=pk)


def _back(request, fallback):
    """Where the form came from (the list, with its filters), if it is one of our pages."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@login_required
def mine(request):
    """我的任务: the tasks given to me that are not finished, soonest due first."""
    if not can(request.user, TASK, VIEW):
        raise PermissionDenied
    tasks = _with_subject(
        Task.objects.restrict(request.user, VIEW).filter(
            assignee=request.user, status=TaskStatus.ASSIGNED
        )
    )
    rows, next_cursor = cursor_page(request, tasks, ORDERING)
    return render(request, "fieldwork/mine.html", {"tasks": rows, "next_cursor": next_cursor})


# The pool shows this many at a time: enough to choose from on a phone, and the page stays cheap.
POOL_SHOWN = 50


@login_required
def deliveries(request):
    """我的配送: the deliveries I claimed that are not finished, and the pool of my grids to
    claim from ("我来送"), most urgent first."""
    user = request.user
    if not can(user, TASK, VIEW):
        raise PermissionDenied
    claimed = _with_subject(
        Task.objects.restrict(user, VIEW)
        .filter(assignee=user, kind__in=POOLED_KINDS)
        .pending()
        .order_by(*ORDERING)
    )
    pool = _with_subject(Task.objects.pool(user).order_by(*ORDERING))[: POOL_SHOWN + 1]
    pool = list(pool)
    return render(
        request,
        "fieldwork/deliveries.html",
        {
            "claimed": claimed,
            "pool": pool[:POOL_SHOWN],
            "pool_more": len(pool) > POOL_SHOWN,
        },
    )


def _claimable_task(request, pk) -> Task:
    return get_object_or_404(Task.objects.claimable_by(request.user), pk=pk)


@login_required
@require_POST
def task_claim(request, pk):
    task = _claimable_task(request, pk)
    try:
        services.claim(actor=request.user, task=task)
    except services.ClaimConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已认领：%(task)s。") % {"task": task.heading})
    return redirect("fieldwork:deliveries")


@login_required
@require_POST
def task_unclaim(request, pk):
    task = _claimable_task(request, pk)
    try:
        services.unclaim(actor=request.user, task=task)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(request, _("已退回，其他人可以认领。"))
    return redirect("fieldwork:deliveries")


@login_required
def task_list(request):
    """A leader's tasks in their regions, filtered, each pending one with an assign form."""
    user = request.user
    if not can(user, TASK, ADD):
        raise PermissionDenied
    form = TaskFilterForm(request.GET)
    form.is_valid()
    criteria = form.cleaned_data
    tasks, region = in_region_filter(request, form, Task.objects.all())
    tasks = _with_subject(tasks)
    status = criteria.get("status", PENDING_FILTER)
    if status == PENDING_FILTER:
        tasks = tasks.pending()
    elif status != ALL_FILTER:
        tasks = tasks.filter(status=status)
    if criteria.get("kind"):
        tasks = tasks.filter(kind=criteria["kind"])
    if criteria.get("overdue"):
        tasks = tasks.overdue()
    rows, next_cursor = cursor_page(request, tasks, ORDERING)
    led_paths = {
        task.region_path for task in rows if task.pending and services.leads(user, task.region_path)
    }
    for task in rows:
        task.selectable = task.region_path in led_paths
    assign_form = None
    if led_paths:
        assign_form = AssignForm(takers=services.takers_for(led_paths), auto_id="bulk-%s")
    filtered = any(criteria.get(name) for name in ("status", "kind", "region", "overdue"))
    return render(
        request,
        "fieldwork/task_list.html",
        {
            "form": form,
            "tasks": rows,
            "next_cursor": next_cursor,
            "filtered": filtered,
            "assign_form": assign_form,
        },
    )


@login_required
@require_POST
def assign_selected(request):
    """One assignee for every task ticked on the list; all or none."""
    if not can(request.user, TASK, ADD):
        raise PermissionDenied
    selected = SelectedTasksForm(request.POST)
    if not selected.is_valid():
        messages.error(request, _("请先选择任务。"))
        return _back(request, reverse("fieldwork:list"))
    ids = selected.cleaned_data["task"]
    tasks = list(Task.objects.restrict(request.user, VIEW).filter(pk__in=ids))
    if len(tasks) != len(ids):
        raise Http404
    form = AssignForm(
        request.POST, takers=services.takers_for({task.region_path for task in tasks})
    )
    if not form.is_valid():
        messages.error(request, _("请选择可以承接这些任务的承办人。"))
        return _back(request, reverse("fieldwork:list"))
    assignee = form.cleaned_data["assignee"]
    try:
        changed = services.assign_many(actor=request.user, tasks=tasks, assignee=assignee)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("已将 %(count)d 个任务分派给 %(name)s。")
            % {"count": changed, "name": assignee.choice_label()},
        )
    return _back(request, reverse("fieldwork:list"))


def _bulk_subjects(request, form) -> tuple[list, list]:
    """The persons or households the tasks are for, among those the user may see; anything
    asked for that is not there is an error in the form."""
    user = request.user
    wanted = form.cleaned_data.get("person") or []
    if wanted:
        persons = list(
            Person.objects.restrict(user, VIEW)
            .filter(pk__in=wanted)
            .select_related("household")
            .order_by("region_path", "id")
        )
        if len(persons) != len(set(wanted)):
            form.add_error(None, _("所选居民中有不在您辖区内的。"))
        return persons, []
    building = (
        Region.objects.restrict(user, VIEW)
        .filter(level=Level.BUILDING, code=form.cleaned_data["building"])
        .first()
    )
    if building is None:
        form.add_error("building", _("没有这个楼栋，或它不在您的辖区内。"))
        return [], []
    households = list(
        Household.objects.restrict(user, VIEW)
        .filter(building=building)
        .order_by("unit", "room", "id")
    )
    if not households:
        form.add_error("building", _("该楼栋还没有登记住户。"))
    return [], households


@login_required
def bulk_create(request):
    """Tasks for each chosen person or every household of a building: the count is shown for
    confirmation first; the confirmed form carries a batch id, so sending it twice creates the
    tasks once."""
    if not can(request.user, TASK, ADD):
        raise PermissionDenied
    if request.method != "POST":
        initial = {
            "kind": TaskKind.FOLLOW_UP_VISIT,
            "person": request.GET.getlist("person"),
            "building": request.GET.get("building", ""),
        }
        form = BulkCreateForm(initial=initial)
        return render(request, "fieldwork/bulk_create.html", {"form": form, "count": None})
    form = BulkCreateForm(request.POST)
    count = None
    if form.is_valid():
        persons, households = _bulk_subjects(request, form)
        count = len(persons) + len(households)
        batch = form.cleaned_data.get("batch")
        if not form.errors and batch:
            fields = {
                name: form.cleaned_data[name] for name in ("kind", "due_at", "title", "notes")
            }
            items = [
                services.TaskInput(person=person, source_ref=str(person.pk), **fields)
                for person in persons
            ] + [
                services.TaskInput(household=household, source_ref=str(household.pk), **fields)
                for household in households
            ]
            try:
                created = services.create_tasks(
                    actor=request.user, source=f"page:{batch}", items=items
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已创建 %(count)d 个任务。") % {"count": created})
                return redirect("fieldwork:list")
        if not form.errors:
            form.data = form.data.copy()
            form.data["batch"] = str(batch or uuid.uuid4())
    status = 400 if form.errors else 200
    return render(
        request,
        "fieldwork/bulk_create.html",
        {"form": form, "count": None if form.errors else count},
        status=status,
    )


def _detail_context(request, task: Task, **forms) -> dict:
    user = request.user
    leading = services.leads(user, task.region_path)
    working = task.pending and services.may_work(user, task)
    context = {
        "task": task,
        "leading": leading,
        "working": working,
        "may_start": working
        and task.assignee_id == user.pk
        and task.status == TaskStatus.ASSIGNED
        and task.started_at is None,
        "may_unclaim": working and task.assignee_id == user.pk and task.claimed_at is not None,
        "complete_form": forms.get("complete_form") or CompleteForm(),
    }
    if leading and task.pending:
        context["assign_form"] = forms.get("assign_form") or AssignForm(
            takers=services.takers(task.region_path),
            initial={"assignee": str(task.assignee_id or "")},
        )
    if leading and not task.pending:
        context["reopen_form"] = forms.get("reopen_form") or ReopenForm()
    return context


@login_required
def task_detail(request, pk):
    task = _visible_task(request, pk)
    return render(request, "fieldwork/task_detail.html", _detail_context(request, task))


def _after_work(request, task: Task):
    """A worker goes back to their list, where the task is now gone; a leader stays on it."""
    if task.assignee_id == request.user.pk:
        return redirect("fieldwork:mine")
    return redirect("fieldwork:detail", pk=task.pk)


@login_required
@require_POST
def task_assign(request, pk):
    task = _visible_task(request, pk)
    if not services.leads(request.user, task.region_path):
        raise PermissionDenied
    form = AssignForm(request.POST, takers=services.takers(task.region_path))
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            services.assign(actor=request.user, task=task, assignee=assignee)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已分派给 %(name)s。") % {"name": assignee.choice_label()})
            return _back(request, task.get_absolute_url())
    context = _detail_context(request, task, assign_form=form)
    return render(request, "fieldwork/task_detail.html", context, status=400)


@login_required
@require_POST
def task_start(request, pk):
    task = _visible_task(request, pk)
    try:
        services.start(actor=request.user, task=task)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("fieldwork:detail", pk=task.pk)


@login_required
@require_POST
def task_complete(request, pk):
    task = _visible_task(request, pk)
    if not services.may_work(request.user, task):
        raise PermissionDenied
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            services.complete(actor=request.user, task=task, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已记录：任务完成。"))
            return _after_work(request, task)
    context = _detail_context(request, task, complete_form=form)
    return render(request, "fieldwork/task_detail.html", context, status=400)


@login_required
def task_fail(request, pk):
    """Asks for the reason and a confirmation on a page of its own: a failed visit is not
    something to record by a slip of the thumb."""
    task = _visible_task(request, pk)
    if not services.may_work(request.user, task):
        raise PermissionDenied
    if not task.pending:
        messages.info(request, _("该任务已办结。"))
        return redirect("fieldwork:detail", pk=task.pk)
    form = FailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.fail(actor=request.user, task=task, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.warning(request, _("已记录：任务未能完成。"))
            return _after_work(request, task)
    status = 400 if form.errors else 200
    return render(request, "fieldwork/task_fail.html", {"task": task, "form": form}, status=status)


@login_required
@require_POST
def task_reopen(request, pk):
    task = _visible_task(request, pk)
    if not services.leads(request.user, task.region_path):
        raise PermissionDenied
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.reopen(actor=request.user, task=task, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("任务已重新打开。"))
            return redirect("fieldwork:detail", pk=task.pk)
    context = _detail_context(request, task, reopen_form=form)
    return render(request, "fieldwork/task_detail.html", context, status=400)
