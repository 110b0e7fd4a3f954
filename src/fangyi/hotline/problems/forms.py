from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm

from ..models import HandlingUnit, Outcome
from . import services


class MakeListForm(BootstrapForm):
    region = forms.CharField(label=_("市或区县代码"), max_length=18)


class ItemForm(BootstrapForm):
    title = forms.CharField(label=_("问题"), max_length=services.MAX_TITLE)
    unit = forms.ModelChoiceField(
        label=_("责任单位"), queryset=HandlingUnit.objects.none(), empty_label=None
    )
    fix_today = forms.BooleanField(label=_("当日解决"), required=False)

    def __init__(self, *args, problem_list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = services.units_for(problem_list)


class OutcomeForm(BootstrapForm):
    outcome = forms.ChoiceField(
        label=_("办理结果"),
        choices=[
            (Outcome.FIXED, Outcome.FIXED.label),
            (Outcome.NOT_FIXED, Outcome.NOT_FIXED.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("单位说明"), max_length=services.MAX_NOTE, required=False, widget=forms.Textarea
    )
