"""The portal's forms. They check the shape of input; services check the rest."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm

from .models import Relation
from .services import SYMPTOMS

SYMPTOM_CHOICES = [(code, _(label)) for code, label in SYMPTOMS.items()]


class NoNulForm(BootstrapForm):
    """Text with NUL in it is refused as a field error (PostgreSQL cannot store it)."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and "\x00" in value:
                self.add_error(name, _("不能包含空字符（\\0）。"))
        return cleaned


class PhoneForm(NoNulForm):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=11,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "tel", "placeholder": "138…"}
        ),
    )


class CodeForm(NoNulForm):
    code = forms.CharField(
        label=_("验证码"),
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )
    id_tail = forms.CharField(
        label=_("身份证号码后四位"),
        max_length=4,
        required=False,
        help_text=_("该手机号登记了多位居民时需要填写，用于确认是您本人。"),
    )


class HealthForm(NoNulForm):
    temperature = forms.DecimalField(
        label=_("今日体温（℃）"),
        required=False,
        max_digits=3,
        decimal_places=1,
        min_value=34,
        max_value=43,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    symptoms = forms.MultipleChoiceField(
        label=_("症状（没有则不选）"),
        choices=SYMPTOM_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class TripForm(NoNulForm):
    from_area = forms.CharField(
        label=_("出发地"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("例如：上海市浦东新区")}),
    )
    arrived_at = forms.DateTimeField(
        label=_("抵达时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    risk_area = forms.BooleanField(
        label=_("出发地当时为中、高风险地区"),
        required=False,
        help_text=_("如实勾选：来自风险地区须按规定完成核酸检测，期间为黄码。"),
    )
    transport = forms.CharField(
        label=_("交通方式及班次"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("例如：G1234 次列车")}),
    )

    def clean_arrived_at(self):
        value = self.cleaned_data["arrived_at"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class AppealForm(NoNulForm):
    target = forms.ChoiceField(label=_("申诉对象"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("申诉理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = list(targets)
        self.fields["target"].widget.attrs["class"] = "form-check-input"


class GuardianshipForm(NoNulForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("证件号码（完整）"),
        max_length=32,
        help_text=_("核实后由所在网格的网格员确认；本页不显示是否找到此人。"),
    )
    relation = forms.ChoiceField(label=_("与您的关系"), choices=Relation.choices)


class DecisionForm(NoNulForm):
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
