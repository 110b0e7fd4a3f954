"""The briefings' pages: the list (making one on demand), the downloads, and the template's
page with its preview."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core.forms import add_service_errors
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.regions.models import looks_like_code

from . import services
from .area import BRIEFING_TEMPLATE, BRIEFINGS
from .forms import GenerateForm, TemplateForm
from .preset import PRESET

ORDERING = ("-day", "region_path", "id")


def _list(request, form: GenerateForm | None, status: int = 200):
    user = request.user
    briefings = services.briefings_for(user)
    code = request.GET.get("region", "")
    if code and looks_like_code(code):
        briefings = briefings.filter(region__code=code)
    rows, next_cursor = cursor_page(request, briefings, ORDERING)
    return render(
        request,
        "command/briefings/list.html",
        {
            "briefings": rows,
            "next_cursor": next_cursor,
            "form": form,
            "hour": services.briefing_hour(),
            "may_edit_template": can(user, BRIEFING_TEMPLATE, CHANGE),
        },
        status=status,
    )


@login_required
def briefing_list(request):
    """每日简报: the briefings the user sees, the latest day first; making one now."""
    user = request.user
    if not can(user, BRIEFINGS, VIEW):
        raise PermissionDenied
    regions = services.regions_for(user) if can(user, BRIEFINGS, ADD) else []
    return _list(request, GenerateForm(regions=regions) if regions else None)


@login_required
@require_POST
def generate(request):
    user = request.user
    if not can(user, BRIEFINGS, ADD):
        raise PermissionDenied
    regions = services.regions_for(user)
    form = GenerateForm(request.POST, regions=regions)
    if form.is_valid():
        region = next(r for r in regions if r.code == form.cleaned_data["region"])
        try:
            briefing = services.generate(actor=user, region=region, day=form.cleaned_data["day"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已生成%(region)s %(day)s 的简报。")
                % {"region": region.name, "day": briefing.day.isoformat()},
            )
            return redirect("command_briefings:list")
    return _list(request, form, status=400)


@login_required
def download(request, pk: uuid.UUID, kind: str):
    briefing = get_object_or_404(services.briefings_for(request.user), pk=pk)
    content, content_type, filename = services.file_of(briefing, kind)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def edit_template(request):
    """The text of every briefing: saved when it renders, previewed with sample figures, or
    set back to the shipped preset (shown, saved only when the admin saves it)."""
    user = request.user
    if not can(user, BRIEFING_TEMPLATE, CHANGE):
        raise PermissionDenied
    blocks = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "preset":
            form = TemplateForm(initial={"text": PRESET})
            messages.info(request, _("已填入默认模板，保存后生效。"))
        else:
            form = TemplateForm(request.POST)
            if form.is_valid():
                text = form.cleaned_data["text"]
                try:
                    if action == "preview":
                        blocks = services.preview(actor=user, text=text)
                    else:
                        services.save_template(actor=user, text=text)
                        messages.success(request, _("简报模板已保存。"))
                        return redirect("command_briefings:template")
                except ValidationError as exc:
                    add_service_errors(form, exc)
            if form.errors:
                status = 400
    else:
        form = TemplateForm(initial={"text": services.template_text()})
    return render(
        request,
        "command/briefings/template.html",
        {"form": form, "blocks": blocks},
        status=status,
    )
