"""Pages: the officers' register and approvals (filters, pages of rows), an enterprise's page
with its steps, the public self-registration form, the enterprise's own employee list, and
the resident's links on the portal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core import ratelimit
from fangyi.core.forms import add_service_errors
from fangyi.core.paths import under
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.portal.auth import resident_person, resident_required
from fangyi.regions.models import Region

from . import services
from .area import EMPLOYEE, ENTERPRISE
from .forms import (
    AccountForm,
    ApplicationFilterForm,
    ApplyForm,
    EnterpriseFilterForm,
    EnterpriseForm,
    LinkForm,
    ReasonForm,
)
from .models import Application, Commitment, Enterprise, Standing

ORDERING = ("region_path", "id")


def _visible(request, pk, resource: str = ENTERPRISE) -> Enterprise:
    return get_object_or_404(services.enterprises_for(request.user, resource, VIEW), pk=pk)


def _within(request, form, queryset):
    code = (form.cleaned_data.get("region") or "").strip()
    if not code:
        return queryset
    region = Region.objects.restrict(request.user, VIEW).filter(code=code).first()
    if region is None:
        form.add_error("region", _("没有这个区域，或其不在您的辖区内。"))
        return queryset.none()
    return queryset.filter(under("region_path", region.path))


@login_required
def enterprise_list(request):
    user = request.user
    if not can(user, ENTERPRISE, VIEW):
        raise PermissionDenied
    form = EnterpriseFilterForm(request.GET)
    form.is_valid()
    enterprises = _within(request, form, services.enterprises_for(user))
    if form.cleaned_data.get("standing"):
        enterprises = enterprises.filter(standing=form.cleaned_data["standing"])
    rows, next_cursor = cursor_page(request, enterprises, ORDERING)
    return render(
        request,
        "enterprises/list.html",
        {
            "form": form,
            "enterprises": rows,
            "next_cursor": next_cursor,
            "filtered": any(form.cleaned_data.get(n) for n in ("region", "standing")),
            "may_add": can(user, ENTERPRISE, ADD),
        },
    )


def _region_or_error(form, user) -> Region | None:
    code = form.cleaned_data["region"].strip()
    regions = Region.objects.restrict(user, VIEW) if user is not None else Region.objects
    region = regions.filter(code=code).first()
    if region is None:
        form.add_error("region", _("没有这个区域，或其不在您的辖区内。"))
    return region


@login_required
def enterprise_create(request):
    if not can(request.user, ENTERPRISE, ADD):
        raise PermissionDenied
    form = EnterpriseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        region = _region_or_error(form, request.user)
        if region is not None:
            data = {k: v for k, v in form.cleaned_data.items() if k != "region"}
            try:
                enterprise = services.register_enterprise(actor=request.user, region=region, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已登记。"))
                return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/form.html", {"form": form})


@ratelimit.per_address("public-address")
def self_register(request):
    """The public form; an officer of the region confirms the enterprise afterwards."""
    form = EnterpriseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        region = _region_or_error(form, None)
        if region is not None:
            data = {k: v for k, v in form.cleaned_data.items() if k != "region"}
            try:
                services.self_register(region=region, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return render(request, "enterprises/registered.html", status=201)
    return render(request, "enterprises/register.html", {"form": form})


@login_required
def enterprise_detail(request, pk):
    enterprise = _visible(request, pk)
    user = request.user
    decides = services.may_decide(user, enterprise)
    return render(
        request,
        "enterprises/detail.html",
        {
            "enterprise": enterprise,
            "events": list(enterprise.events.all()[:100]),
            "applications": list(enterprise.applications.order_by("-submitted_at", "id")[:20]),
            "commitments": {c.code: c.label for c in Commitment.objects.all()},
            "may_decide": decides,
            "may_apply": services.may(user, enterprise, ENTERPRISE, CHANGE)
            and enterprise.standing in (Standing.REGISTERED, Standing.RETURNED),
            "may_see_employees": services.may(user, enterprise, EMPLOYEE, VIEW),
            "account_form": AccountForm() if decides else None,
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def enterprise_confirm(request, pk):
    enterprise = _visible(request, pk)
    try:
        services.confirm_registration(actor=request.user, enterprise=enterprise)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已确认登记，企业可以申请复工。"))
    return redirect("enterprises:detail", pk=enterprise.pk)


@login_required
@require_POST
def open_account(request, pk):
    enterprise = _visible(request, pk)
    if not services.may_decide(request.user, enterprise):
        raise PermissionDenied
    form = AccountForm(request.POST)
    if form.is_valid():
        try:
            services.open_account(actor=request.user, enterprise=enterprise, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已开通企业账号。"))
    else:
        messages.error(request, _("请填写用户名和初始密码。"))
    return redirect("enterprises:detail", pk=enterprise.pk)


@login_required
def apply(request, pk):
    enterprise = _visible(request, pk)
    if not services.may(request.user, enterprise, ENTERPRISE, CHANGE):
        raise PermissionDenied
    form = ApplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.apply_to_reopen(
                actor=request.user,
                enterprise=enterprise,
                commitments=form.cleaned_data["commitments"],
                staff_count=form.cleaned_data["staff_count"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已提交复工申请，请等待审批。"))
            return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/apply.html", {"form": form, "enterprise": enterprise})


@login_required
def application_list(request):
    user = request.user
    if not can(user, ENTERPRISE, VIEW):
        raise PermissionDenied
    form = ApplicationFilterForm(request.GET or {"state": Application.State.PENDING})
    form.is_valid()
    applications = _within(
        request,
        form,
        Application.objects.filter(enterprise__in=services.enterprises_for(user)).select_related(
            "enterprise", "enterprise__region"
        ),
    )
    if form.cleaned_data.get("state"):
        applications = applications.filter(state=form.cleaned_data["state"])
    rows, next_cursor = cursor_page(request, applications, ("submitted_at", "id"))
    return render(
        request,
        "enterprises/applications.html",
        {
            "form": form,
            "applications": rows,
            "next_cursor": next_cursor,
            "commitments": {c.code: c.label for c in Commitment.objects.all()},
            "reason_form": ReasonForm(),
        },
    )


def _application(request, pk) -> Application:
    return get_object_or_404(
        Application.objects.filter(
            enterprise__in=services.enterprises_for(request.user)
        ).select_related("enterprise"),
        pk=pk,
    )


@login_required
@require_POST
def application_approve(request, pk):
    application = _application(request, pk)
    try:
        services.approve(actor=request.user, application=application)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已批准复工。"))
    return redirect("enterprises:detail", pk=application.enterprise_id)


@login_required
@require_POST
def application_return(request, pk):
    application = _application(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.return_application(actor=request.user, application=application, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已退回，企业可修改后重新申请。"))
    return redirect("enterprises:detail", pk=application.enterprise_id)


@login_required
def mine(request):
    """An account's start: its one enterprise's employees, or the list of its enterprises."""
    own = list(services.enterprises_for(request.user, EMPLOYEE, ADD)[:2])
    if len(own) == 1:
        return redirect("enterprises:employees", pk=own[0].pk)
    if not own:
        raise PermissionDenied
    return redirect("enterprises:list")


@login_required
def employees(request, pk):
    enterprise = _visible(request, pk, EMPLOYEE)
    user = request.user
    may_link = services.may(user, enterprise, EMPLOYEE, ADD)
    form = LinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_link:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.link_employee(actor=user, enterprise=enterprise, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已关联，待员工在居民端确认。"))
                return redirect("enterprises:employees", pk=enterprise.pk)
    page, next_cursor = cursor_page(
        request, services.employees_for(user, enterprise), ("linked_at", "id")
    )
    rows = services.look(actor=user, enterprise=enterprise, employments=page)
    return render(
        request,
        "enterprises/employees.html",
        {
            "enterprise": enterprise,
            "rows": rows,
            "next_cursor": next_cursor,
            "form": form if may_link else None,
            "may_end": services.may(user, enterprise, EMPLOYEE, CHANGE),
        },
    )


@login_required
@require_POST
def employee_end(request, pk, link):
    enterprise = _visible(request, pk, EMPLOYEE)
    employment = get_object_or_404(services.employees_for(request.user, enterprise), pk=link)
    try:
        services.end_employment(actor=request.user, employment=employment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已解除关联。"))
    return redirect("enterprises:employees", pk=enterprise.pk)


@resident_required
def my_links(request):
    """The resident's block on the portal: links to confirm or decline."""
    person = resident_person(request)
    if request.method == "POST":
        try:
            services.answer_link(
                person=person,
                employment_id=request.POST.get("link", ""),
                accept=request.POST.get("answer") == "confirm",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已处理。"))
        return redirect("enterprises:my-links")
    return render(
        request,
        "enterprises/my_links.html",
        {"holder": person, "links": list(services.links_of(person)[:50])},
    )
