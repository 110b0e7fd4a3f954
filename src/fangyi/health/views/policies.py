"""The prevention plans side by side, and switching the plan in force."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from fangyi.core.permissions import CHANGE, VIEW, can
from fangyi.health.area import POLICY

from .. import services
from ..models import Policy, QuarantineSetting, RecomputeRun
from ..templatetags.health import colour_name, localized

RECENT_RUNS = 10


def _days(days) -> str:
    return "、".join(str(day) for day in days)


def _lift_text(lift: dict, kinds: dict) -> str:
    parts = []
    if lift.get("clean_days"):
        parts.append(
            ngettext("连续 %(n)s 天无新增阳性", "连续 %(n)s 天无新增阳性", lift["clean_days"])
            % {"n": lift["clean_days"]}
        )
    if lift.get("negative_round_days"):
        parts.append(
            ngettext(
                "解除前 %(n)s 天内全员核酸阴性",
                "解除前 %(n)s 天内全员核酸阴性",
                lift["negative_round_days"],
            )
            % {"n": lift["negative_round_days"]}
        )
    if lift.get("after_lowering_days"):
        parts.append(
            ngettext(
                "由高一级区域降级的，降级后满 %(n)s 天",
                "由高一级区域降级的，降级后满 %(n)s 天",
                lift["after_lowering_days"],
            )
            % {"n": lift["after_lowering_days"]}
        )
    if lift.get("becomes") in kinds:
        parts.append(_("解除时降为%(kind)s") % {"kind": localized(kinds[lift["becomes"]])})
    return _("；").join(parts) if parts else _("无解除条件，可随时解除")


def _contact_rows(p: dict) -> list[tuple[str, str]]:
    rows = []
    close = p.get("close_contact")
    if close:
        text = ngettext(
            "集中隔离 %(days)s 天，%(colour)s，第 %(tests)s 天核酸检测",
            "集中隔离 %(days)s 天，%(colour)s，第 %(tests)s 天核酸检测",
            close["quarantine_days"],
        ) % {
            "days": close["quarantine_days"],
            "colour": colour_name(close.get("quarantine_colour")),
            "tests": _days(close.get("quarantine_test_days", [])),
        }
        if close.get("monitoring_days"):
            text += ngettext(
                "；之后居家健康监测 %(days)s 天，%(colour)s，第 %(tests)s 天核酸检测",
                "；之后居家健康监测 %(days)s 天，%(colour)s，第 %(tests)s 天核酸检测",
                close["monitoring_days"],
            ) % {
                "days": close["monitoring_days"],
                "colour": colour_name(close.get("monitoring_colour")),
                "tests": _days(close.get("monitoring_test_days", [])),
            }
        rows.append((_("密切接触者"), text))
    secondary = p.get("secondary_contact")
    rows.append(
        (
            _("次密切接触者"),
            ngettext(
                "居家隔离 %(days)s 天，%(colour)s，第 %(tests)s 天核酸检测",
                "居家隔离 %(days)s 天，%(colour)s，第 %(tests)s 天核酸检测",
                secondary["quarantine_days"],
            )
            % {
                "days": secondary["quarantine_days"],
                "colour": colour_name(secondary.get("quarantine_colour")),
                "tests": _days(secondary.get("quarantine_test_days", [])),
            }
            if secondary
            else _("不再判定"),
        )
    )
    return rows


def _other_rows(p: dict) -> list[tuple[str, str]]:
    rows = []
    pooled = p.get("pooled_positive") or {}
    rows.append(
        (
            _("混管阳性"),
            _("%(colour)s，单管复核阴性后转码") % {"colour": colour_name(pooled.get("colour"))},
        )
    )
    arrival = p.get("arrival") or {}
    rows.append(
        (
            _("来自风险地区"),
            ngettext(
                "%(colour)s，需 %(n)s 次间隔至少 %(hours)s 小时的核酸阴性",
                "%(colour)s，需 %(n)s 次间隔至少 %(hours)s 小时的核酸阴性",
                arrival.get("negative_tests", 2),
            )
            % {
                "colour": colour_name(arrival.get("colour")),
                "n": arrival.get("negative_tests", 2),
                "hours": arrival.get("hours_apart", 24),
            },
        )
    )
    fever = p.get("fever_clinic") or {}
    rows.append(
        (
            _("发热门诊就诊"),
            _("%(colour)s，就诊后核酸阴性即转码") % {"colour": colour_name(fever.get("colour"))},
        )
    )
    quarantine = p.get("quarantine") or {}
    rows.append(
        (
            _("隔离期间"),
            _("；").join(
                f"{label}: {colour_name(quarantine.get(value))}"
                for value, label in QuarantineSetting.choices
            ),
        )
    )
    return rows


def describe_policy(policy: Policy) -> dict:
    """A plan's parameters as sentences a commander can compare side by side."""
    p = policy.parameters
    kinds = {kind["code"]: kind for kind in p.get("zone_kinds", [])}
    rows = [
        (_("使用颜色"), "、".join(colour_name(c) for c in p.get("colours", []))),
        (_("确诊、疑似病例"), colour_name(p["case"]["colour"])),
        *_contact_rows(p),
        *_other_rows(p),
    ]
    zone_kinds = [
        {
            "code": kind["code"],
            "name": localized(kind),
            "colour": kind.get("colour"),
            "obligations": localized(kind, "obligations"),
            "lift": _lift_text(kind.get("lift") or {}, kinds),
        }
        for kind in p.get("zone_kinds", [])
    ]
    return {"policy": policy, "name": localized(policy), "rows": rows, "zone_kinds": zone_kinds}


@login_required
def policy_list(request):
    if not can(request.user, POLICY, VIEW):
        raise PermissionDenied
    return render(
        request,
        "health/policy_list.html",
        {
            "plans": [describe_policy(policy) for policy in Policy.objects.all()],
            "may_switch": can(request.user, POLICY, CHANGE),
            # The runs that rewrite many statuses at once (a plan switch, a zone); a person's
            # own recompute is done in a moment and would bury them.
            "runs": RecomputeRun.objects.exclude(scope="persons").order_by("-created_at")[
                :RECENT_RUNS
            ],
        },
    )


@login_required
@require_POST
def recompute_retry(request, pk):
    if not can(request.user, POLICY, CHANGE):
        raise PermissionDenied
    run = get_object_or_404(RecomputeRun, pk=pk)
    try:
        services.retry_recompute(actor=request.user, run=run)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已重新排队，将从头重新计算。"))
    return redirect(reverse("health:policy-list") + "#recompute-runs")


@login_required
def policy_switch(request, pk):
    if not can(request.user, POLICY, CHANGE):
        raise PermissionDenied
    policy = get_object_or_404(Policy, pk=pk)
    if policy.in_force:
        messages.info(request, _("该方案已在执行。"))
        return redirect("health:policy-list")
    if request.method == "POST":
        services.switch_policy(actor=request.user, policy=policy)
        messages.success(
            request,
            _("已切换为「%(name)s」，全部居民的健康码将按新方案重新计算。")
            % {"name": localized(policy)},
        )
        return redirect("health:policy-list")
    current = Policy.objects.filter(in_force=True).first()
    return render(
        request,
        "health/policy_switch.html",
        {
            "plan": describe_policy(policy),
            "current": describe_policy(current) if current else None,
        },
    )
