from typing import TYPE_CHECKING

from django import forms
from django.db.models import Field, Q
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm
from fangyi.core.paths import under
from fangyi.core.permissions import ADD, CHANGE, EVERYWHERE, scope_paths
from fangyi.regions.models import Level, Region

from .area import VENUE
from .models import Venue, VenueKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Beyond this many regions in reach (a commander's city) the chooser becomes a code field.
REGION_CHOICES = 500


def _label(name: str) -> "StrOrPromise":
    field = Venue._meta.get_field(name)
    assert isinstance(field, Field), f"{name} is not a field of Venue"
    return field.verbose_name


class VenueFilterForm(BootstrapForm):
    region = forms.CharField(
        label=_("区域代码"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("区域代码")}),
    )
    kind = forms.ChoiceField(
        label=_label("kind"), required=False, choices=[("", _("全部类型")), *VenueKind.choices]
    )


def regions_in_reach(user, action: str):
    """Regions down to the grid where the user may add (or move) venues, by path."""
    paths = scope_paths(user, VENUE, action)
    regions = Region.objects.filter(level__lte=Level.GRID)
    if paths is not EVERYWHERE:
        condition = Q(pk__in=[])
        for path in paths:
            condition |= under("path", path)
        regions = regions.filter(condition)
    return regions.order_by("path")


class VenueForm(BootstrapForm):
    name = forms.CharField(label=_label("name"), max_length=100)
    kind = forms.ChoiceField(label=_label("kind"), choices=VenueKind.choices)
    region = forms.CharField(label=_label("region"), max_length=18)
    address = forms.CharField(label=_label("address"), max_length=200, required=False)

    def __init__(self, *args, user, venue: Venue | None = None, **kwargs):
        if venue is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": venue.name,
                    "kind": venue.kind,
                    "region": venue.region.code,
                    "address": venue.address,
                    "active": venue.active,
                },
            )
        super().__init__(*args, **kwargs)
        self.user = user
        self.action = ADD if venue is None else CHANGE
        if venue is not None:
            self.fields["active"] = forms.BooleanField(
                label=_label("active"),
                required=False,
                help_text=_("停用后，场所码不能再用于签到；已有的签到记录保留。"),
            )
            self.fields["active"].widget.attrs["class"] = "form-check-input"
        reach = list(regions_in_reach(user, self.action)[: REGION_CHOICES + 1])
        if venue is not None and venue.region not in reach:
            reach.insert(0, venue.region)
        if len(reach) <= REGION_CHOICES:
            depth = min((r.level for r in reach), default=0)
            self.fields["region"] = forms.ChoiceField(
                label=_label("region"),
                choices=[("", "—")]
                + [(r.code, "\u3000" * (r.level - depth) + r.name) for r in reach],
            )
            self.fields["region"].widget.attrs["class"] = "form-select"
        else:
            self.fields["region"].help_text = _("填写区划代码，如 350102001001001。")
            self.fields["region"].widget.attrs["inputmode"] = "numeric"

    def clean_region(self) -> Region:
        code = self.cleaned_data["region"].strip()
        region = regions_in_reach(self.user, self.action).filter(code=code).first()
        if region is None and code == self.initial.get("region"):
            # Keeping a venue where it is needs no right to add there.
            region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("没有这个区域，或您无权在该区域登记场所。"))
        return region
