"""Forms of the health pages. They only shape input; the services validate and decide."""

import datetime
import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm
from fangyi.core.permissions import VIEW
from fangyi.regions.models import Region

from .models import (
    Appeal,
    Colour,
    FactKind,
    ManualDecision,
    QuarantineSetting,
    TestOutcome,
    TubeKind,
)

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
RECORDABLE_KINDS = [(value, label) for value, label in FactKind.choices if value != "retraction"]
# Details a page can enter per kind; the service checks their values.
DETAIL_FIELDS: dict[str, list[str]] = {
    FactKind.ARRIVAL_FROM_RISK_AREA: ["area"],
    FactKind.HEALTH_DECLARATION: ["temperature", "symptoms"],
    FactKind.CLOSE_CONTACT: ["index_case"],
    FactKind.SECONDARY_CONTACT: ["index_case"],
}
SEPARATORS = re.compile(r"[\s,，、;；]+")
MAX_ZONE_REGIONS = 500


def local_minute(moment: datetime.datetime) -> str:
    """What a datetime-local input shows: the local time to the minute."""
    return timezone.localtime(moment).strftime(LOCAL_MINUTE)


def _moment_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE)


class FactForm(BootstrapForm):
    """One fact; which fields it has depends on the kind, as the service's checks do."""

    # Chosen in a form of its own above this one, which reloads the fields for the kind.
    kind = forms.ChoiceField(label=_("类别"), choices=RECORDABLE_KINDS, widget=forms.HiddenInput)
    occurred_at = forms.DateTimeField(label=_("发生时间"), widget=_moment_input())
    outcome = forms.ChoiceField(label=_("检测结果"), choices=TestOutcome.choices)
    variant = forms.ChoiceField(label=_("检测方式"), choices=TubeKind.choices)
    area = forms.CharField(
        label=_("来自的风险地区"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("例如：某市某区某街道")}),
    )
    temperature = forms.FloatField(
        label=_("体温（℃）"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    symptoms = forms.CharField(
        label=_("症状"),
        required=False,
        max_length=200,
        help_text=_("多个症状用逗号分隔；无症状留空。"),
    )
    index_case = forms.CharField(
        label=_("关联病例"),
        required=False,
        max_length=100,
        help_text=_("流调中关联的病例编号或说明。"),
    )
    note = forms.CharField(
        label=_("备注"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    source_ref = forms.CharField(
        label=_("来源编号"),
        required=False,
        max_length=100,
        help_text=_("例如采样管编号、流调报告编号。"),
    )

    def __init__(self, *args, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            kind = self.data.get("kind", "")
        chosen = kind if kind in dict(RECORDABLE_KINDS) else FactKind.TEST_RESULT
        # The declared field `kind` lives in base_fields; on the instance the name is free.
        self.kind = chosen  # type: ignore[assignment]
        keep = {"kind", "occurred_at", "note", "source_ref", *DETAIL_FIELDS.get(chosen, [])}
        if self.kind == FactKind.TEST_RESULT:
            keep |= {"outcome", "variant"}
        elif self.kind in (FactKind.QUARANTINE_START, FactKind.QUARANTINE_END):
            keep.add("variant")
            variant = self.fields["variant"]
            variant.label = _("隔离方式")
            if self.kind == FactKind.QUARANTINE_END:
                variant.choices = [("", _("未注明")), *QuarantineSetting.choices]
                variant.required = False
            else:
                variant.choices = QuarantineSetting.choices
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def service_fields(self) -> dict:
        """The keyword arguments of services.record_fact, details gathered for the kind."""
        data = self.cleaned_data
        details = {}
        if data.get("area"):
            details["area"] = data["area"].strip()
        if data.get("temperature") is not None:
            details["temperature"] = data["temperature"]
        if "symptoms" in self.fields:
            details["symptoms"] = [s for s in SEPARATORS.split(data.get("symptoms", "")) if s]
        if data.get("index_case"):
            details["index_case"] = data["index_case"].strip()
        if data.get("note"):
            details["note"] = data["note"].strip()
        return {
            "kind": self.kind,
            "occurred_at": data["occurred_at"],
            "outcome": data.get("outcome", ""),
            "variant": data.get("variant", ""),
            "details": details,
            "source_ref": data.get("source_ref", ""),
        }


class AppealForm(BootstrapForm):
    """Contest one fact or one zone behind a person's colour: the target is "fact:<id>" or
    "zone:<id>"."""

    target = forms.ChoiceField(label=_("申诉对象"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("申诉理由"),
        max_length=1000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("例如：当天不在该地，有行程记录")}
        ),
    )

    def __init__(self, *args, targets: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["target"]).choices = targets
        self.fields["target"].widget.attrs["class"] = "form-check-input"


class DecisionForm(BootstrapForm):
    colour = forms.ChoiceField(label=_("颜色"), choices=Colour.choices)
    reason = forms.CharField(
        label=_("理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("至少 10 个字；须由另一名干部审批后生效。"),
    )
    expires_at = forms.DateTimeField(
        label=_("到期时间"), widget=_moment_input(), help_text=_("最长 72 小时。")
    )


class ZoneForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("区域类别"))
    regions = forms.CharField(
        label=_("区划代码"),
        widget=forms.Textarea(attrs={"rows": 3, "inputmode": "numeric"}),
        help_text=_("每行一个区划代码，可填多个（如整栋楼、整个网格或社区）。代码见区域页面。"),
    )
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=_moment_input())
    name = forms.CharField(
        label=_("名称"),
        required=False,
        max_length=100,
        help_text=_("留空则按区域名称命名。"),
    )
    reason = forms.CharField(
        label=_("划定原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, kinds: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (kind["code"], kind["label"]) for kind in kinds
        ]

    def clean_regions(self) -> list[Region]:
        codes = list(dict.fromkeys(c for c in SEPARATORS.split(self.cleaned_data["regions"]) if c))
        if not codes:
            raise ValidationError(_("请至少填写一个区划代码。"))
        if len(codes) > MAX_ZONE_REGIONS:
            raise ValidationError(
                _("一次最多 %(n)s 个区域；范围更大时请选上级区域。") % {"n": MAX_ZONE_REGIONS}
            )
        found = {
            region.code: region
            for region in Region.objects.restrict(self.user, VIEW).filter(code__in=codes)
        }
        missing = [code for code in codes if code not in found]
        if missing:
            raise ValidationError(
                _("没有找到这些区域，或不在您的辖区内：%(codes)s")
                % {"codes": "、".join(missing[:10])}
            )
        return [found[code] for code in codes]


class ReasonForm(BootstrapForm):
    """The reason asked on a confirmation page (lifting a zone, revoking a decision)."""

    reason = forms.CharField(
        label=_("说明"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class VerdictForm(BootstrapForm):
    """Accept or reject (an appeal, a manual decision): the button pressed is the verdict."""

    verdict = forms.ChoiceField(
        choices=[("accept", _("采纳")), ("reject", _("驳回"))], widget=forms.HiddenInput
    )
    note = forms.CharField(
        label=_("处理意见"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @property
    def accepted(self) -> bool:
        return self.cleaned_data["verdict"] == "accept"


class RegionFilterForm(BootstrapForm):
    region = forms.CharField(
        label=_("区划代码"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("区划代码")}),
    )
    state = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = states


APPEAL_STATES = Appeal.State.choices
DECISION_STATES = [("", _("全部状态")), *ManualDecision.State.choices]
