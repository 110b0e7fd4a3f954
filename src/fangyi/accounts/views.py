"""Sign-in and staff management."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from fangyi.core.forms import add_service_errors
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.views import cursor_page

from . import services
from .area import STAFF
from .forms import LoginForm, StaffCreateForm
from .models import RoleAssignment, User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _require_staff_view(user) -> None:
    if not can(user, STAFF, VIEW):
        raise PermissionDenied


@login_required
def staff_list(request):
    _require_staff_view(request.user)
    query = request.GET.get("q", "").strip()[:150]
    assignments = RoleAssignment.objects.restrict(request.user, VIEW).select_related(
        "user", "region"
    )
    if query:
        assignments = assignments.filter(user__username__startswith=query)
    assignments, next_cursor = cursor_page(request, assignments, ("region_path", "id"))
    return render(
        request,
        "accounts/staff_list.html",
        {
            "assignments": assignments,
            "next_cursor": next_cursor,
            "query": query,
            "may_add": can(request.user, STAFF, ADD),
        },
    )


@login_required
def staff_create(request):
    if not can(request.user, STAFF, ADD):
        raise PermissionDenied
    initial = {"region": request.GET.get("region", "")[:18]}
    form = StaffCreateForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_staff(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                role=data["role"],
                region=data["region"],
                full_name=data["full_name"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已添加工作人员 %(name)s。") % {"name": user.username})
            return redirect("accounts:staff-list")
    return render(request, "accounts/staff_form.html", {"form": form})


def _visible_staff(request, pk) -> User:
    """A staff member with at least one role inside the viewer's scope."""
    visible = RoleAssignment.objects.restrict(request.user, VIEW).filter(user_id=pk)
    return get_object_or_404(User.objects.filter(pk__in=visible.values("user_id")))


@login_required
def staff_deactivate(request, pk):
    _require_staff_view(request.user)
    member = _visible_staff(request, pk)
    if not can(request.user, STAFF, CHANGE):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.deactivate_staff(actor=request.user, user=member)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已停用 %(name)s。") % {"name": member.username})
        return redirect("accounts:staff-list")
    assignments = member.role_assignments.select_related("region").order_by("region_path")
    return render(
        request,
        "accounts/staff_deactivate.html",
        {"member": member, "assignments": assignments},
    )
