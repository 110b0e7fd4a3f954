"""Forms of the isolation pages. They only shape input; the services validate and decide."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm
from fangyi.health.models import QuarantineSetting

from . import services, sites
from .models import OrderReason, OrderState, Room, Site

# Filter values beyond the states: running (active or extended) and overdue (running past
# the planned end).
RUNNING = "running"
OVERDUE = "overdue"


class OrderFilterForm(BootstrapForm):
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("", _("全部状态")),
            *OrderState.choices,
            (RUNNING, _("隔离中（含延期）")),
            (OVERDUE, _("超期未解除")),
        ],
    )
    reason = forms.ChoiceField(
        label=_("原因"), required=False, choices=[("", _("全部原因")), *OrderReason.choices]
    )
    region = forms.CharField(
        label=_("区域代码"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("区域代码")}),
    )
    # From the command centre's figures: orders of one kind, and orders ended on one day.
    kind = forms.ChoiceField(
        label=_("隔离方式"),
        required=False,
        choices=[("", _("全部")), *QuarantineSetting.choices],
        widget=forms.HiddenInput,
    )
    day = forms.DateField(label=_("结束日期"), required=False, widget=forms.HiddenInput)


class DueFilterForm(BootstrapForm):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("ready", _("可解除")), ("overdue", _("超期未解除"))],
    )


class _Selected(BootstrapForm):
    """Orders ticked on a list (`order`), and for the queue whole buildings (`building`)."""

    order = forms.TypedMultipleChoiceField(
        coerce=uuid.UUID, choices=(), required=False, widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        values = self.data.getlist("order") if hasattr(self.data, "getlist") else []
        self.fields["order"].choices = [(value, value) for value in values]


class QueueForm(_Selected):
    building = forms.TypedMultipleChoiceField(
        choices=(), required=False, widget=forms.MultipleHiddenInput
    )
    site = forms.ModelChoiceField(label=_("隔离点"), queryset=Site.objects.none(), required=False)
    action = forms.ChoiceField(
        choices=[
            ("place", _("安置到隔离点")),
            ("home", _("居家隔离")),
            ("monitoring", _("居家健康监测")),
        ]
    )

    def __init__(self, *args, sites_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        values = self.data.getlist("building") if hasattr(self.data, "getlist") else []
        self.fields["building"].choices = [(value, value) for value in values]
        self.fields["site"].queryset = sites_queryset
        self.fields["site"].empty_label = _("选择隔离点")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("order") and not cleaned.get("building"):
            raise forms.ValidationError(_("请先选择人员或整栋楼。"))
        if cleaned.get("action") == "place" and not cleaned.get("site"):
            self.add_error("site", _("请选择隔离点。"))
        return cleaned


class ReleaseForm(_Selected):
    override = forms.CharField(
        label=_("破例解除理由"),
        required=False,
        max_length=services.MAX_REASON,
        help_text=_("只有不满足解除条件的人员才需要填写。"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(label=_("我已核对所选人员，确认解除隔离"), required=True)


class ReasonForm(BootstrapForm):
    reason = forms.CharField(
        label=_("原因"), max_length=services.MAX_REASON, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmedReasonForm(ReasonForm):
    confirm = forms.BooleanField(label=_("我确认此操作"), required=True)


class ReplanForm(BootstrapForm):
    reason = forms.CharField(label=_("原因"), required=False, max_length=services.MAX_REASON)


class ExtendForm(ReasonForm):
    until = forms.DateTimeField(
        label=_("延至"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class MoveForm(BootstrapForm):
    room = forms.ModelChoiceField(label=_("换到房间"), queryset=Room.objects.none())

    def __init__(self, *args, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        self.fields["room"].empty_label = _("选择房间")


class SiteForm(BootstrapForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200)
    region = forms.CharField(
        label=_("所属区域代码"),
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    notes = forms.CharField(
        label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class RoomsForm(BootstrapForm):
    numbers = forms.CharField(
        label=_("房间号"),
        max_length=500,
        help_text=_("如 101-130，或 101,102,105。"),
    )
    capacity = forms.IntegerField(
        label=_("每间床位数"), min_value=1, max_value=sites.MAX_CAPACITY, initial=1
    )
