"""The transfer pages' forms: a batch made from one building's people waiting to be placed."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services


class BatchForm(forms.Form):
    order = forms.TypedMultipleChoiceField(label=_("人员"), coerce=str)
    vehicle = forms.CharField(label=_("车辆"), max_length=services.MAX_VEHICLE)
    driver = forms.ModelChoiceField(label=_("司机"), queryset=get_user_model().objects.none())
    site = forms.ModelChoiceField(
        label=_("目的隔离点"), queryset=services.Site.objects.none(), required=False
    )
    hospital = forms.CharField(
        label=_("或目的医院"), max_length=services.MAX_HOSPITAL, required=False
    )
    planned_at = forms.DateTimeField(
        label=_("计划出发时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M"],
    )

    def __init__(self, *args, orders, drivers, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].choices = [(str(order.pk), str(order.pk)) for order in orders]
        self.fields["driver"].queryset = drivers
        self.fields["site"].queryset = sites
        for name in ("vehicle", "hospital", "planned_at"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
        for name in ("driver", "site"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def clean(self):
        data = super().clean()
        if bool(data.get("site")) == bool((data.get("hospital") or "").strip()):
            raise ValidationError(_("请选择目的隔离点，或填写目的医院（二选一）。"))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=services.MAX_NOTE)
