from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm

from .. import services as supplies
from ..models import Confirmation


class FormBatchForm(BootstrapForm):
    region = forms.CharField(label=_("社区代码"), max_length=18)


class CutOffForm(BootstrapForm):
    needs_by = forms.TimeField(label=_("需求截止"), widget=forms.TimeInput(attrs={"type": "time"}))
    orders_by = forms.TimeField(
        label=_("向供应商下单截止"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    deliver_from = forms.TimeField(
        label=_("次日开始配送"), widget=forms.TimeInput(attrs={"type": "time"})
    )


class DeliverForm(BootstrapForm):
    confirmation = forms.ChoiceField(
        label=_("送达确认方式"), choices=Confirmation.choices, widget=forms.RadioSelect
    )
    code = forms.CharField(label=_("居民码"), max_length=2000, required=False)
    note = forms.CharField(label=_("签收说明"), max_length=supplies.MAX_NOTE, required=False)
    left_at = forms.DateTimeField(
        label=_("放置时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
