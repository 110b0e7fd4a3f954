"""The setup pages' forms. Regions are named by code and staff by username, as the API
names them; the views look both up in the user's scope."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm

from ..forms import REGION_CODE_LONGEST, category_choices
from ..models import Kind, PlaceLevel, UnitKind
from . import services

ANY_CATEGORY = "*"
STAFF_HELP = _("用户名，以逗号或空格分隔。")


def usernames(text: str) -> list[str]:
    return [name for name in text.replace("，", ",").replace(",", " ").split() if name]


class RegionCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", REGION_CODE_LONGEST)
        super().__init__(**kwargs)

    def clean(self, value):
        code = super().clean(value).strip()
        if code and not code.isdigit():
            raise forms.ValidationError(_("区域代码只能是数字。"))
        return code


class CategoryForm(BootstrapForm):
    code = forms.SlugField(
        label=_("代码"),
        max_length=40,
        help_text=_(
            "英文字母、数字和连字符；Open311 合作方以它报送（service_code），创建后不能修改。"
        ),
    )
    name = forms.CharField(label=_("名称"), max_length=60)
    parent = forms.ChoiceField(label=_("上级类别"), required=False)
    kind = forms.ChoiceField(label=_("性质"), choices=Kind.choices)
    limit_minutes = forms.IntegerField(
        label=_("时限（分钟）"),
        required=False,
        min_value=1,
        max_value=services.LONGEST_MINUTES,
        help_text=_(
            "按自然时间计，如红黄码就医专线 30 分钟；与工作日时限只填一种，都不填则按性质。"
        ),
    )
    limit_working_days = forms.IntegerField(
        label=_("时限（工作日）"),
        required=False,
        min_value=1,
        max_value=services.LONGEST_WORKING_DAYS,
        help_text=_("按法定工作日历的工作时间计；求助默认 3 个，投诉 13 个。"),
    )
    confidential = forms.BooleanField(
        label=_("保密（心理援助）：只有接线员和承办单位可见"), required=False
    )
    active = forms.BooleanField(label=_("在用：可受理新工单"), required=False, initial=True)
    order = forms.IntegerField(label=_("顺序"), min_value=0, max_value=32767, initial=0)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        parent = cast(forms.ChoiceField, self.fields["parent"])
        parent.choices = [("", _("（顶级类别）")), *category_choices(active_only=False)]
        if editing:
            del self.fields["code"]
        else:
            del self.fields["active"]


class UnitForm(BootstrapForm):
    code = forms.SlugField(label=_("代码"), max_length=40, help_text=_("创建后不能修改。"))
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=UnitKind.choices)
    region = RegionCodeField(
        label=_("所属区域（代码）"), help_text=_("街道专班绑定街道，社区专班绑定社区。")
    )
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    members = forms.CharField(
        label=_("成员"), max_length=2000, required=False, help_text=STAFF_HELP
    )
    supervisors = forms.CharField(
        label=_("分管负责人"),
        max_length=2000,
        required=False,
        help_text=_("临期预警时通知他们。用户名，以逗号或空格分隔。"),
    )
    active = forms.BooleanField(
        label=_("在用：可派单；停用后派单规则跳过它"), required=False, initial=True
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            for name in ("code", "kind", "region"):
                del self.fields[name]
        else:
            del self.fields["active"]


class RuleForm(BootstrapForm):
    region = RegionCodeField(label=_("区域（代码）"), help_text=_("该区域及其下级的工单适用。"))
    category = forms.ChoiceField(label=_("类别"))
    unit = forms.ChoiceField(label=_("派给承办单位"), required=False)
    place_level = forms.ChoiceField(
        label=_("或按所在地派给"),
        choices=[("", _("（不按所在地）")), *PlaceLevel.choices],
        required=False,
        help_text=_("承办单位和按所在地二选一。"),
    )

    def __init__(self, *args, units=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        category = cast(forms.ChoiceField, self.fields["category"])
        category.choices = [(ANY_CATEGORY, _("（任何类别）")), *category_choices()]
        unit = cast(forms.ChoiceField, self.fields["unit"])
        unit.choices = [("", "—"), *((str(each.pk), each.name) for each in units)]
        if editing:
            # Where a rule applies is also who may change it: moved, it is another rule.
            del self.fields["region"]


class CalendarDayForm(BootstrapForm):
    day = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label=_("这一天"),
        choices=[("0", _("休息（节假日）")), ("1", _("上班（调休工作日）"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=100,
        required=False,
        help_text=_("例如：2027 年春节"),
    )


class KeyForm(BootstrapForm):
    partner = forms.CharField(label=_("合作方"), max_length=100)
    region = RegionCodeField(
        label=_("区域（代码）"), help_text=_("这把密钥只能在该区域内报送诉求。")
    )


class ConfirmForm(BootstrapForm):
    confirmed = forms.BooleanField(
        label=_("我已确认"), error_messages={"required": _("请勾选确认。")}
    )
