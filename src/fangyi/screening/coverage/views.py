"""Coverage pages of a round ("no one missed"): a region's progress with its children's,
drilled down to buildings; the list of persons not sampled yet, with its export through the
ledgers; the grid leaders' button that makes home-sampling tasks of those who cannot come; and
the samples taken on a day in a region, of every round (the list behind the command centre's
screening figures).

`?region=CODE` names the region shown; without it, the user's one top region of the campaign
(or, when they have several, all of them side by side). A round or region out of the user's
sight is 404.
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangyi.core.forms import BootstrapForm
from fangyi.core.permissions import ADD, CHANGE, EXPORT, REVEAL, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.fieldwork.area import TASK
from fangyi.health.models import TestOutcome
from fangyi.ledgers import services as ledgers
from fangyi.ledgers.models import ExportFormat
from fangyi.people.area import PERSON
from fangyi.regions.models import Level, Region, looks_like_code
from fangyi.screening.area import SAMPLE
from fangyi.screening.coverage import services as coverage
from fangyi.screening.coverage.ledger import MissingLedger
from fangyi.screening.models import Round, Sample

MISSING_ORDERING = ("region_path", "id")
SAMPLE_ORDERING = ("sampled_at", "id")


class MissingExportForm(BootstrapForm):
    format = forms.ChoiceField(label=gettext_lazy("格式"), choices=ExportFormat.choices)
    reveal_reason = forms.CharField(
        label=gettext_lazy("导出明文（须填写理由，将被记录）"),
        required=False,
        max_length=200,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": gettext_lazy("留空则姓名、证件号码和手机号脱敏导出")}
        ),
    )

    def __init__(self, *args, may_reveal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_reveal:
            del self.fields["reveal_reason"]


def _round(request, round_id) -> Round:
    return get_object_or_404(coverage.visible_rounds(request.user), pk=round_id)


def _chosen_region(request, round: Round) -> Region | None:
    """The region named by `region` (GET or POST), or the user's only top region; None when
    they have several. 404 for a region they may not see or the campaign does not reach."""
    code = (request.POST.get("region") or request.GET.get("region") or "").strip()[:18]
    if code:
        region = Region.objects.filter(code=code).first() if looks_like_code(code) else None
        if region is None:
            raise Http404
        try:
            coverage.check_region(round, request.user, region)
        except (PermissionDenied, ValidationError) as exc:
            raise Http404 from exc
        return region
    tops = coverage.top_paths(round, request.user)
    if len(tops) == 1:
        return Region.objects.get(path=tops[0])
    return None


def _crumbs(round: Round, user, region: Region | None) -> list[Region]:
    """The regions above `region` that the user may open on this page, top first."""
    if region is None:
        return []
    tops = coverage.top_paths(round, user)
    return [
        ancestor
        for ancestor in region.ancestors()
        if any(ancestor.path.startswith(top) for top in tops)
    ]


def _url(name: str, round: Round, code: str = "") -> str:
    url = reverse(f"screening:{name}", args=[round.pk])
    return f"{url}?{urlencode({'region': code})}" if code else url


def _total(rows: list[coverage.CoverageRow]) -> coverage.CoverageRow:
    return coverage.CoverageRow(
        code="",
        name=_("合计"),
        level=0,
        path="",
        parent=None,
        expected=sum(row.expected for row in rows),
        sampled=sum(row.sampled for row in rows),
        resulted=sum(row.resulted for row in rows),
        positive=sum(row.positive for row in rows),
    )


def _may_arrange(user, round: Round, region: Region | None) -> bool:
    """Whether to offer the home-sampling button: the round is not over and the user leads
    tasks at the region (or somewhere, when several regions are shown)."""
    if timezone.now() > round.deadline:
        return False
    where = region.path if region is not None else None
    return can(user, TASK, ADD, where) and can(user, TASK, CHANGE, where)


@login_required
def round_coverage(request, round_id):
    round = _round(request, round_id)
    user = request.user
    region = _chosen_region(request, round)
    if region is not None:
        rows = coverage.round_coverage(round, user=user, region=region, depth=1)
        current, children = rows[0], rows[1:]
    else:
        children = coverage.round_coverage(round, user=user, depth=0)
        current = _total(children)
    # A building has no children to drill into: its link opens who is missing there.
    children = [
        (
            row,
            _url("missing" if row.level == Level.BUILDING else "coverage", round, row.code),
            _url("missing", round, row.code),
        )
        for row in children
    ]
    chart = {
        "names": [row.name for row, _link, _missing in children],
        "percents": [row.percent or 0 for row, _link, _missing in children],
        "links": [link for _row, link, _missing in children],
        "label": _("采样率"),
    }
    return render(
        request,
        "screening/coverage/coverage.html",
        {
            "round": round,
            "region": region,
            "crumbs": _crumbs(round, user, region),
            "current": current,
            "children": children,
            "chart": chart,
            "missing_url": _url("missing", round, region.code if region else ""),
            "may_arrange": _may_arrange(user, round, region),
            "over": timezone.now() > round.deadline,
        },
    )


@login_required
@require_POST
def home_tasks(request, round_id):
    round = _round(request, round_id)
    region = _chosen_region(request, round)
    back = _url("coverage", round, region.code if region else "")
    try:
        counts = coverage.create_home_sampling_tasks(actor=request.user, round=round, region=region)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    if counts.created:
        messages.success(
            request,
            _("已生成 %(created)d 个上门采样任务，请到任务列表分派给网格员。")
            % {"created": counts.created},
        )
    elif counts.eligible:
        messages.info(
            request,
            _("需要上门采样的 %(eligible)d 人此前都已生成任务，没有新增。")
            % {"eligible": counts.eligible},
        )
    else:
        messages.info(request, _("目前没有需要上门采样的未采样人员。"))
    return redirect(back)


@login_required
def missing(request, round_id):
    round = _round(request, round_id)
    user = request.user
    region = _chosen_region(request, round)
    if region is None:
        tops = Region.objects.filter(path__in=coverage.top_paths(round, user)).order_by("path")
        choices = [(top, _url("missing", round, top.code)) for top in tops]
        return render(
            request,
            "screening/coverage/missing_choose.html",
            {"round": round, "choices": choices},
        )
    persons, next_cursor = cursor_page(
        request, coverage.missing_persons(round, user=user, region=region), MISSING_ORDERING
    )
    if request.headers.get("HX-Request"):
        response = render(
            request,
            "screening/coverage/_missing_rows.html",
            {"persons": persons, "next_cursor": next_cursor},
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    totals = coverage.round_coverage(round, user=user, region=region, depth=0)[0]
    may_export = can(user, PERSON, EXPORT, region.path)
    response = render(
        request,
        "screening/coverage/missing.html",
        {
            "round": round,
            "region": region,
            "crumbs": _crumbs(round, user, region),
            "totals": totals,
            "persons": persons,
            "next_cursor": next_cursor,
            "coverage_url": _url("coverage", round, region.code),
            "export_form": (
                MissingExportForm(
                    initial={"format": ExportFormat.XLSX},
                    may_reveal=can(user, PERSON, REVEAL, region.path),
                )
                if may_export
                else None
            ),
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def missing_export(request, round_id):
    round = _round(request, round_id)
    user = request.user
    region = _chosen_region(request, round)
    if region is None:
        raise Http404
    back = _url("missing", round, region.code)
    form = MissingExportForm(request.POST, may_reveal=can(user, PERSON, REVEAL, region.path))
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(back)
    try:
        job = ledgers.start_export(
            actor=user,
            ledger=MissingLedger.slug,
            region=region,
            fmt=form.cleaned_data["format"],
            reveal_reason=form.cleaned_data.get("reveal_reason", ""),
            filters={"round": str(round.pk)},
        )
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", None) or [str(exc)]:
            messages.error(request, message)
        return redirect(back)
    return redirect("ledgers:export-job", pk=job.pk)


def _day(request) -> datetime.date:
    """`?day=YYYY-MM-DD`, today (Beijing time) when absent or not a date."""
    given = request.GET.get("day", "")
    try:
        return datetime.date.fromisoformat(given) if given else timezone.localdate()
    except ValueError:
        messages.warning(request, _("日期无效，已显示今天。"))
        return timezone.localdate()


@login_required
def samples_of_day(request):
    """The samples taken on a day at or under a region, every round's, as the command centre's
    figures count them (`result=positive`: the positives alone). Rows in the user's scope."""
    user = request.user
    if not can(user, SAMPLE, VIEW):
        raise PermissionDenied
    day = _day(request)
    start = datetime.datetime.combine(day, datetime.time.min, timezone.get_current_timezone())
    samples = Sample.objects.restrict(user, VIEW).filter(
        sampled_at__gte=start, sampled_at__lt=start + datetime.timedelta(days=1)
    )
    code = request.GET.get("region", "")
    region = None
    if code:
        region = (
            Region.objects.restrict(user, VIEW).filter(code=code).first()
            if looks_like_code(code)
            else None
        )
        if region is None:
            raise Http404
        samples = samples.filter(region_path__startswith=region.path)
    positive = request.GET.get("result") == "positive"
    if positive:
        samples = samples.filter(result=TestOutcome.POSITIVE)
    rows, next_cursor = cursor_page(
        request, samples.select_related("person", "site", "round"), SAMPLE_ORDERING
    )
    return render(
        request,
        "screening/coverage/samples.html",
        {
            "day": day,
            "region": region,
            "positive": positive,
            "samples": rows,
            "next_cursor": next_cursor,
        },
    )


urlpatterns = [
    path("samples/", samples_of_day, name="sample-list"),
    path("rounds/<uuid:round_id>/coverage/", round_coverage, name="coverage"),
    path("rounds/<uuid:round_id>/home-tasks/", home_tasks, name="home-tasks"),
    path("rounds/<uuid:round_id>/missing/", missing, name="missing"),
    path("rounds/<uuid:round_id>/missing/export/", missing_export, name="missing-export"),
]
