"""Forms of the markets pages. They only shape input; the services validate and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm

from . import services
from .models import ActionKind, PointKind


class RegionForm(BootstrapForm):
    region = forms.CharField(
        label=_("区域代码"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("区域代码")}),
    )


class ActionForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("措施"), choices=ActionKind.choices)
    quantity = forms.CharField(
        label=_("数量"), required=False, max_length=50, help_text=_("如 投放储备猪肉 20 吨")
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=services.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PointForm(BootstrapForm):
    code = forms.CharField(label=_("编号"), max_length=32)
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=PointKind.choices)
    region = forms.CharField(
        label=_("所在区域代码"),
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    address = forms.CharField(label=_("地址"), required=False, max_length=200)
    reporters = forms.CharField(
        label=_("报价员"),
        required=False,
        max_length=1000,
        help_text=_("报价员的用户名，多个用逗号或空格分隔"),
    )

    def reporter_names(self) -> list[str]:
        return self.cleaned_data["reporters"].replace("，", ",").replace(",", " ").split()
