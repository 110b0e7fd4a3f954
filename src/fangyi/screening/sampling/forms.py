"""Forms of the campaign and sampling pages. They only shape input; the services validate and
decide (pool sizes, overlapping rounds, samplers' rights)."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm
from fangyi.screening.models import STANDARD_POOL_SIZES, Campaign


class OpenTubeForm(BootstrapForm):
    barcode = forms.CharField(
        label=_("试管条码"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "enterkeyhint": "go",
                "placeholder": _("扫描或输入条码"),
            }
        ),
    )
    pool_size = forms.TypedChoiceField(label=_("混采人数"), coerce=int, required=False)

    def __init__(self, *args, campaign: Campaign | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        sizes = campaign.pool_sizes if campaign is not None else list(STANDARD_POOL_SIZES)
        cast(forms.TypedChoiceField, self.fields["pool_size"]).choices = [("", _("自动"))] + [
            (size, _("%(size)d 人") % {"size": size}) for size in sizes
        ]


class AddPersonForm(BootstrapForm):
    """A scanned code (FY1:…) or a search text; a chosen person comes as `person`."""

    text = forms.CharField(
        label=_("扫码或查找居民"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "enterkeyhint": "go",
                "placeholder": _("扫健康码，或输入姓名/证件号后4位"),
            }
        ),
    )
    person = forms.UUIDField(required=False, widget=forms.HiddenInput)
