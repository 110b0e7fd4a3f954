"""The lab screen: receive tubes by scanning one after another, enter one tube's result, upload
a results file (through the ledgers' import page), and the list of recent tubes.

A lab sees barcodes, pool sizes, states and results: nothing on these pages names a person.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from fangyi.core.forms import BootstrapForm
from fangyi.core.permissions import CHANGE, VIEW, can, require
from fangyi.core.views import cursor_page
from fangyi.health.models import TestOutcome, TubeKind
from fangyi.screening.area import LAB_TUBE
from fangyi.screening.lab import services as lab
from fangyi.screening.models import Sample, TubeState

BARCODE_ATTRS = {
    "autocomplete": "off",
    "autocapitalize": "characters",
    "spellcheck": "false",
    "enterkeyhint": "send",
}


class ReceiveForm(BootstrapForm):
    barcode = forms.CharField(
        label=gettext_lazy("试管条码"),
        max_length=32,
        widget=forms.TextInput(
            attrs=BARCODE_ATTRS
            | {"autofocus": True, "placeholder": gettext_lazy("扫描或输入条码后回车")}
        ),
        error_messages={"required": gettext_lazy("请扫描或输入条码。")},
    )


class ResultForm(BootstrapForm):
    barcode = forms.CharField(
        label=gettext_lazy("试管条码"),
        max_length=32,
        widget=forms.TextInput(attrs=BARCODE_ATTRS | {"id": "result-barcode"}),
        error_messages={"required": gettext_lazy("请填写试管条码。")},
    )
    result = forms.ChoiceField(
        label=gettext_lazy("检测结果"),
        choices=TestOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择检测结果。")},
    )
    ct_value = forms.FloatField(
        label=gettext_lazy("Ct 值（可不填）"),
        required=False,
        min_value=0,
        max_value=lab.MAX_CT,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    tested_at = forms.DateTimeField(
        label=gettext_lazy("检测时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": gettext_lazy("请填写检测时间。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # BootstrapForm styles inputs as text boxes; these are radio buttons.
        self.fields["result"].widget.attrs["class"] = "form-check-input"


class TubeFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[("", gettext_lazy("全部状态")), *TubeState.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def _require_view(user) -> None:
    require(user, LAB_TUBE, VIEW)


def _require_change(user) -> None:
    require(user, LAB_TUBE, CHANGE)


def _member_counts(tube_ids) -> dict:
    """{tube id: people in it}: a tube closed early holds fewer than its pool size."""
    return dict(
        Sample.objects.filter(tube_id__in=list(tube_ids))
        .values_list("tube_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def _screen(request, *, result_form=None, status=200):
    user = request.user
    _require_view(user)
    filters = TubeFilterForm(request.GET)
    filters.is_valid()
    tubes = lab.lab_tubes(user, VIEW)
    state = filters.cleaned_data.get("state")
    if state:
        tubes = tubes.filter(state=state)
    rows, next_cursor = cursor_page(
        request,
        tubes.only(
            "barcode",
            "pool_size",
            "kind",
            "state",
            "result",
            "ct_value",
            "opened_at",
            "closed_at",
            "received_at",
            "tested_at",
        ),
        lab.LIST_ORDER,
    )
    people = _member_counts(tube.pk for tube in rows)
    for tube in rows:
        tube.people = people.get(tube.pk, 0)
    may_change = can(user, LAB_TUBE, CHANGE)
    now = timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)
    context = {
        "tubes": rows,
        "next_cursor": next_cursor,
        "filters": filters,
        "filtered": bool(state),
        "may_change": may_change,
    }
    if may_change:
        context["receive_form"] = ReceiveForm()
        context["result_form"] = result_form or ResultForm(initial={"tested_at": now})
    return render(request, "screening/lab/screen.html", context, status=status)


@login_required
def lab_screen(request):
    return _screen(request)


@login_required
@require_POST
def lab_receive(request):
    """One scanned tube. Answered with a line for the scan log (lab.js asks for it with an
    HX-Request header, as htmx would), or, without the script, back to the screen."""
    _require_change(request.user)
    form = ReceiveForm(request.POST)
    barcode = request.POST.get("barcode", "").strip()[:32]
    ok, text = False, ""
    if not form.is_valid():
        text = " ".join(message for errors in form.errors.values() for message in errors)
    else:
        barcode = form.cleaned_data["barcode"].strip()
        try:
            counts = lab.receive_tubes(actor=request.user, barcodes=[barcode])
        except ValidationError as exc:
            text = " ".join(exc.messages)
        else:
            ok = True
            tube = lab.lab_tubes(request.user, VIEW).only("pool_size", "kind").get(barcode=barcode)
            if counts.received:
                people = _member_counts([tube.pk]).get(tube.pk, 0)
                text = ngettext(
                    "已接收（%(kind)s %(people)d/%(size)d 人）。",
                    "已接收（%(kind)s %(people)d/%(size)d 人）。",
                    people,
                ) % {"kind": tube.get_kind_display(), "people": people, "size": tube.pool_size}
            else:
                text = _("此前已接收，无需重复扫描。")
    if request.headers.get("HX-Request"):
        # The script shows only successful answers: a refused scan is a 200 with the reason.
        response = render(
            request,
            "screening/lab/_scan.html",
            {"ok": ok, "barcode": barcode, "text": text, "at": timezone.localtime()},
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    if ok:
        messages.success(request, f"{barcode}：{text}")
    else:
        messages.error(request, f"{barcode}：{text}" if barcode else text)
    return redirect("screening:lab")


def _positive_to_confirm(request, item: lab.ResultInput):
    """The page asking to confirm a positive result for a tube that has none yet, or None
    when there is nothing to ask (another result, a confirmed post, a tube the service will
    refuse or leave unchanged)."""
    if item.result != TestOutcome.POSITIVE or request.POST.get("confirm") == "1":
        return None
    tube = (
        lab.lab_tubes(request.user, CHANGE)
        .exclude(state__in=[TubeState.OPEN, TubeState.RESULTED])
        .only("barcode", "kind", "pool_size")
        .filter(barcode=item.barcode)
        .first()
    )
    if tube is None:
        return None
    context = {
        "tube": tube,
        "people": _member_counts([tube.pk]).get(tube.pk, 0),
        "pooled": tube.kind == TubeKind.POOLED,
        "item": item,
        "tested_at": timezone.localtime(item.tested_at).strftime("%Y-%m-%dT%H:%M"),
    }
    return render(request, "screening/lab/confirm_positive.html", context)


@login_required
@require_POST
def lab_result(request):
    """One tube's result from the page; a positive is recorded only once confirmed (a second
    post with `confirm=1`), after the page has said whom it turns yellow or red."""
    _require_change(request.user)
    form = ResultForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        item = lab.ResultInput(
            barcode=data["barcode"].strip(),
            result=data["result"],
            tested_at=data["tested_at"],
            ct_value=data["ct_value"],
        )
        if (asking := _positive_to_confirm(request, item)) is not None:
            return asking
        try:
            counts = lab.record_results(actor=request.user, items=[item])
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                name = key.partition(".")[2]
                form.add_error(name if name in form.fields else None, errors)
        else:
            if counts.unchanged:
                messages.info(
                    request, _("%(barcode)s 已是该结果，未作改动。") % {"barcode": item.barcode}
                )
            else:
                messages.success(
                    request,
                    _(
                        "%(barcode)s：已录入%(result)s；写入 %(facts)d 条健康事实，"
                        "生成 %(tasks)d 个采样任务。"
                    )
                    % {
                        "barcode": item.barcode,
                        "result": TestOutcome(item.result).label,
                        "facts": counts.facts,
                        "tasks": counts.tasks,
                    },
                )
            return redirect("screening:lab")
    return _screen(request, result_form=form, status=400)


urlpatterns = [
    path("lab/", lab_screen, name="lab"),
    path("lab/receive/", lab_receive, name="lab-receive"),
    path("lab/result/", lab_result, name="lab-result"),
]
