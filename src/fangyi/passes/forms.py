import re

from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm
from fangyi.core.permissions import VIEW
from fangyi.people.models import Household
from fangyi.regions.models import Region

from . import services
from .models import PassRole, PassState

_CODES = re.compile(r"[\s,，、;；]+")


class PassFilterForm(BootstrapForm):
    region = forms.CharField(
        label=_("区域代码"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("区域代码")}),
    )
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *PassState.choices]
    )
    role = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部类别")), *PassRole.choices]
    )


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PassForm(BootstrapForm):
    """The whitelist entry. A new one names its holder by ID number and name (and, for
    someone not yet registered, their household) and the region that keeps it."""

    role = forms.ChoiceField(label=_("类别"), choices=PassRole.choices)
    organisation = forms.CharField(label=_("所属单位"), max_length=services.MAX_ORGANISATION)
    plate = forms.CharField(
        label=_("车牌号"),
        max_length=20,
        required=False,
        help_text=_("选填，如 闽A12345；新能源车 6 位，如 闽AD12345。"),
    )
    areas = forms.CharField(
        label=_("通行区域代码"),
        max_length=200,
        help_text=_("一个或多个区划代码，用空格或逗号分隔；须在登记区域之内。"),
    )
    valid_from = forms.DateField(label=_("生效日期"), widget=_date_input())
    valid_until = forms.DateField(label=_("截止日期"), widget=_date_input())

    def __init__(self, *args, user, supply_pass=None, **kwargs):
        if supply_pass is not None:
            kwargs.setdefault(
                "initial",
                {
                    "role": supply_pass.role,
                    "organisation": supply_pass.organisation,
                    "plate": supply_pass.plate,
                    "areas": " ".join(a.code for a in supply_pass.areas.order_by("path")),
                    "valid_from": supply_pass.valid_from,
                    "valid_until": supply_pass.valid_until,
                },
            )
        super().__init__(*args, **kwargs)
        self.user = user
        if supply_pass is None:
            # The holder's ID number and name are typed, never shown back in plain text.
            self.fields = {
                "id_number": forms.CharField(label=_("身份证号"), max_length=32),
                "name": forms.CharField(label=_("姓名"), max_length=50),
                "household": forms.UUIDField(
                    label=_("户编号"),
                    required=False,
                    help_text=_("仅当此人尚未登记为居民时填写：其所属户的编号。"),
                ),
                "region": forms.CharField(
                    label=_("登记区域代码"),
                    max_length=18,
                    help_text=_("负责管理此通行证的区域，如街道或社区的区划代码。"),
                ),
                **self.fields,
            }
            for name in ("id_number", "name", "household", "region"):
                self.fields[name].widget.attrs.setdefault("class", "form-control")

    def _region(self, code: str) -> Region:
        region = Region.objects.restrict(self.user, VIEW).filter(code=code.strip()).first()
        if region is None:
            raise forms.ValidationError(_("没有这个区域，或其不在您的辖区内。"))
        return region

    def clean_region(self) -> Region:
        return self._region(self.cleaned_data["region"])

    def clean_areas(self) -> list[Region]:
        codes = [code for code in _CODES.split(self.cleaned_data["areas"]) if code]
        if not codes:
            raise forms.ValidationError(_("请至少填写一个通行区域。"))
        return [self._region(code) for code in codes]

    def clean_household(self) -> Household | None:
        pk = self.cleaned_data.get("household")
        if pk is None:
            return None
        household = Household.objects.restrict(self.user, VIEW).filter(pk=pk).first()
        if household is None:
            raise forms.ValidationError(_("没有这个户，或其不在您的辖区内。"))
        return household


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=services.MAX_REASON)
    confirm = forms.BooleanField(label=_("我已核实，确认执行"))
