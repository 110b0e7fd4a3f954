"""Forms of the investigation pages. They only shape input; the services validate and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm

from . import services
from .models import ContactCategory, InvestigationState, TeamRole

MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class FilterForm(BootstrapForm):
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *InvestigationState.choices],
    )
    region = forms.CharField(
        label=_("区域代码"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("区域代码")}),
    )
    # The command centre's figures link here: the day's new cases, found under control or in
    # the community, listed as persons (a case need not have an investigation yet).
    found = forms.ChoiceField(
        label=_("发现方式"),
        required=False,
        choices=[("", _("全部")), ("controlled", _("管控内")), ("community", _("社会面"))],
        widget=forms.HiddenInput,
    )
    day = forms.DateField(label=_("日期"), required=False, widget=forms.HiddenInput)


class OpenForm(BootstrapForm):
    """A case by ID number, or (from a contact who turned positive) by the person's id."""

    id_number = forms.CharField(
        label=_("病例证件号码"),
        max_length=32,
        required=False,
        help_text=_("确诊或核酸阳性的居民；已立案的直接打开。"),
    )
    person = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not data.get("id_number") and not data.get("person"):
            self.add_error("id_number", _("请填写病例证件号码。"))
        return data


class EditForm(BootstrapForm):
    notes = forms.CharField(
        label=_("流调记录"),
        required=False,
        max_length=services.MAX_NOTES,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    state = forms.ChoiceField(label=_("状态"), choices=InvestigationState.choices)


class MemberForm(BootstrapForm):
    user = forms.ChoiceField(label=_("人员"), choices=())
    role = forms.ChoiceField(label=_("分工"), choices=TeamRole.choices)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "—")] + [
            (str(user.pk), user.display_name()) for user in candidates
        ]


class ClockForm(BootstrapForm):
    stage = forms.ChoiceField(
        label=_("环节"),
        choices=[
            ("report", services.CLOCK_LABELS["report"]),
            ("consultation", services.CLOCK_LABELS["consultation"]),
        ],
    )
    at = forms.DateTimeField(
        label=_("时间"), required=False, widget=MOMENT, help_text=_("留空为现在。")
    )


class PlaceForm(BootstrapForm):
    description = forms.CharField(label=_("地点"), max_length=200)
    start = forms.DateTimeField(label=_("开始时间"), widget=MOMENT)
    end = forms.DateTimeField(label=_("结束时间"), widget=MOMENT)


class ProposeForm(BootstrapForm):
    days = forms.IntegerField(
        label=_("追溯天数"),
        min_value=1,
        max_value=services.MAX_DAYS,
        initial=services.DEFAULT_DAYS,
    )
    window_minutes = forms.IntegerField(
        label=_("前后分钟"),
        min_value=1,
        max_value=240,
        initial=services.DEFAULT_WINDOW_MINUTES,
    )


class ContactForm(BootstrapForm):
    """A contact: an ID number finds a registered resident (as does a name with a phone);
    anyone else needs a name, an address and the grid of that address."""

    category = forms.ChoiceField(label=_("类别"), choices=ContactCategory.choices)
    exposure_at = forms.DateTimeField(label=_("接触时间"), widget=MOMENT)
    id_number = forms.CharField(label=_("证件号码"), required=False, max_length=32)
    name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    phone = forms.CharField(label=_("手机号"), required=False, max_length=11)
    address = forms.CharField(label=_("地址"), required=False, max_length=200)
    region = forms.CharField(
        label=_("所在网格代码"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("未登记的接触者：地址所在网格，生成查找任务。"),
    )
    place_text = forms.CharField(label=_("接触地点"), required=False, max_length=200)


class ConfirmForm(BootstrapForm):
    category = forms.ChoiceField(label=_("类别"), choices=ContactCategory.choices)


class DismissForm(BootstrapForm):
    reason = forms.CharField(label=_("排除原因"), max_length=services.MAX_TEXT)


class FoundForm(BootstrapForm):
    id_number = forms.CharField(
        label=_("找到的居民证件号码"),
        max_length=32,
        help_text=_("未登记的请先在居民页面登记。"),
    )


class ChainFilterForm(BootstrapForm):
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.CharField(
        label=_("区域代码"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("区域代码")}),
    )
