"""Forms of the sweeps pages. They only shape input; the services validate and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm

from . import problems, services
from . import questions as q
from .models import ProblemKind


class SweepForm(BootstrapForm):
    title = forms.CharField(label=_("名称"), max_length=services.MAX_TITLE)
    regions = forms.CharField(
        label=_("排查区域代码"),
        max_length=1000,
        help_text=_("市、区县、街道、社区、网格或楼栋的代码，多个用逗号或空格分隔"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    deadline = forms.DateTimeField(
        label=_("截止时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    sections = forms.MultipleChoiceField(
        label=_("排查内容"),
        choices=list(q.SECTIONS.items()),
        initial=list(q.SECTIONS),
        widget=forms.CheckboxSelectMultiple,
    )

    def region_codes(self) -> list[str]:
        text = self.cleaned_data["regions"].replace("，", ",").replace(",", " ")
        return list(dict.fromkeys(text.split()))


class RegionForm(BootstrapForm):
    region = forms.CharField(
        label=_("区域代码"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("区域代码")}),
    )


class AssignForm(BootstrapForm):
    building = forms.CharField(max_length=18)
    assignee = forms.UUIDField()


class ProblemFilterForm(RegionForm):
    kind = forms.ChoiceField(label=_("问题"), choices=ProblemKind.choices, required=False)
    settled = forms.BooleanField(label=_("已处理"), required=False)


class KeepForm(BootstrapForm):
    visit = forms.UUIDField()


class HandledForm(BootstrapForm):
    note = forms.CharField(label=_("处理说明"), max_length=problems.MAX_NOTE)
