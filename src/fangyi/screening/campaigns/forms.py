"""Forms of the campaign and sampling pages. They only shape input; the services validate and
decide (pool sizes, overlapping rounds, samplers' rights)."""

import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangyi.accounts.models import RoleAssignment, User
from fangyi.core.forms import BootstrapForm
from fangyi.core.paths import under
from fangyi.core.permissions import ADD, CHANGE, EVERYWHERE, SAMPLER, scope_paths
from fangyi.people.models import Person
from fangyi.regions.models import Level, Region, ancestor_paths
from fangyi.screening import common
from fangyi.screening.area import CAMPAIGN
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.models import (
    MAX_POOL_SIZE,
    STANDARD_POOL_SIZES,
    Campaign,
    Round,
    SamplingSite,
)
from fangyi.screening.sampling import screen

# Beyond this many regions in reach (a commander's city) the chooser becomes a code field.
REGION_CHOICES = 500
SIZE_CHOICES = [(size, _("%(size)d 人一管") % {"size": size}) for size in STANDARD_POOL_SIZES]
DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def _region_label(region: Region, depth: int) -> str:
    return "\u3000" * (region.level - depth) + region.name


def _within(paths) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= under("path", path)
    return condition


class CampaignFilterForm(BootstrapForm):
    region = forms.CharField(
        label=_("区域代码"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("区域代码")}),
    )


def campaign_regions_in_reach(user):
    """Regions down to the community where the user may start a campaign, by path."""
    paths = scope_paths(user, CAMPAIGN, ADD)
    regions = Region.objects.filter(level__lte=Level.COMMUNITY)
    if paths is not EVERYWHERE:
        regions = regions.filter(_within(paths))
    return regions.order_by("path")


class CampaignForm(BootstrapForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    regions = forms.MultipleChoiceField(label=_("覆盖区域"))
    default_pool_size = forms.TypedChoiceField(
        label=_("默认混采人数"), coerce=int, choices=SIZE_CHOICES, initial=10
    )
    pool_sizes = forms.TypedMultipleChoiceField(
        label=_("允许的混采人数"),
        coerce=int,
        choices=[(size, str(size)) for size in STANDARD_POOL_SIZES],
        initial=list(STANDARD_POOL_SIZES),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_sizes = forms.CharField(
        label=_("其他允许人数"),
        required=False,
        max_length=100,
        help_text=_("可选，逗号分隔，如封控区按户混采时的 3,4,6（1 到 %(max)d）。")
        % {"max": MAX_POOL_SIZE},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        reach = list(campaign_regions_in_reach(user)[: REGION_CHOICES + 1])
        if len(reach) <= REGION_CHOICES:
            depth = min((r.level for r in reach), default=0)
            self.fields["regions"].choices = [(r.code, _region_label(r, depth)) for r in reach]
            self.fields["regions"].widget.attrs.update({"size": min(max(len(reach), 3), 10)})
        else:
            self.fields["regions"] = forms.CharField(
                label=_("覆盖区域"),
                max_length=2000,
                help_text=_("填写区划代码，多个用逗号或空格分隔，如 350102001,350102002。"),
                widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric"}),
            )

    def clean_regions(self) -> list[Region]:
        value = self.cleaned_data["regions"]
        codes = value if isinstance(value, list) else re.split(r"[\s,，、]+", value.strip())
        codes = [code for code in codes if code]
        found = {r.code: r for r in campaign_regions_in_reach(self.user).filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise forms.ValidationError(
                _("没有这些区域，或您无权在该区域发起筛查：%(codes)s。")
                % {"codes": "、".join(unknown)}
            )
        if not found:
            raise forms.ValidationError(_("请至少选择一个区域。"))
        return list(found.values())

    def clean(self):
        cleaned = super().clean()
        sizes = set(cleaned.get("pool_sizes") or [])
        other = (cleaned.get("other_sizes") or "").strip()
        if other:
            try:
                sizes |= {int(part) for part in re.split(r"[\s,，、]+", other) if part}
            except ValueError:
                self.add_error(
                    "other_sizes", _("请填写 1 到 %(max)d 之间的整数。") % {"max": MAX_POOL_SIZE}
                )
        cleaned["all_sizes"] = sorted(sizes)
        return cleaned


class RoundForm(BootstrapForm):
    starts_at = forms.DateTimeField(
        label=_("开始时间"),
        input_formats=[DATETIME_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    deadline = forms.DateTimeField(
        label=_("截止时间"),
        input_formats=[DATETIME_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )


def sampler_candidates(overlapping: list[str]):
    """Active staff holding the sampler role anywhere overlapping the regions `overlapping`
    (a campaign's): above them, at them or inside them."""
    condition = Q(region_path__in={a for path in overlapping for a in ancestor_paths(path)})
    for path in overlapping:
        condition |= under("region_path", path)
    roles = RoleAssignment.objects.filter(role=SAMPLER).filter(condition)
    return User.objects.filter(is_active=True, pk__in=roles.values("user_id")).order_by("username")


def samplers_for_sites(sites) -> dict:
    """{site id: active staff who may sample there}, those holding the sampler role at the
    site's region or above it, in one query for a page of sites."""
    wanted = {path for site in sites for path in ancestor_paths(site.region_path)}
    at: dict[str, list] = {}
    for role in (
        RoleAssignment.objects.filter(role=SAMPLER, region_path__in=wanted, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    ):
        at.setdefault(role.region_path, []).append(role.user)
    found = {}
    for site in sites:
        users = {u.pk: u for path in ancestor_paths(site.region_path) for u in at.get(path, [])}
        found[site.pk] = sorted(users.values(), key=lambda u: u.get_username())
    return found


def site_regions_in_reach(user, campaign: Campaign):
    """Regions down to the grid, inside the campaign, where the user may add a site."""
    regions = Region.objects.filter(level__lte=Level.GRID).filter(
        _within(common.area_paths(campaign))
    )
    paths = scope_paths(user, CAMPAIGN, CHANGE)
    if paths is not EVERYWHERE:
        regions = regions.filter(_within(paths))
    return regions.order_by("path")


class _SamplerChoice(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class SiteForm(BootstrapForm):
    region = forms.CharField(label=_("所属区域"), max_length=18)
    name = forms.CharField(label=_("采样点名称"), max_length=100)
    opening_hours = forms.CharField(
        label=_("开放时间"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如 07:00-22:00")}),
    )
    capacity_per_hour = forms.IntegerField(
        label=_("每小时采样能力"), min_value=1, max_value=campaign_services.MAX_CAPACITY_PER_HOUR
    )
    samplers = _SamplerChoice(label=_("采样人员"), required=False)

    def __init__(self, *args, user, campaign: Campaign, **kwargs):
        super().__init__(*args, prefix="site", **kwargs)
        self.user, self.campaign = user, campaign
        reach = list(site_regions_in_reach(user, campaign)[: REGION_CHOICES + 1])
        if len(reach) <= REGION_CHOICES:
            depth = min((r.level for r in reach), default=0)
            self.fields["region"] = forms.ChoiceField(
                label=_("所属区域"),
                choices=[("", "—")] + [(r.code, _region_label(r, depth)) for r in reach],
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        else:
            self.fields["region"].help_text = _("填写区划代码，如 350102001001001。")
            self.fields["region"].widget.attrs["inputmode"] = "numeric"
        self.candidates = {
            str(u.pk): u for u in sampler_candidates(common.area_paths(campaign))[:200]
        }
        cast(_SamplerChoice, self.fields["samplers"]).choices = [
            (pk, u.choice_label()) for pk, u in self.candidates.items()
        ]

    def clean_region(self) -> Region:
        code = self.cleaned_data["region"].strip()
        region = site_regions_in_reach(self.user, self.campaign).filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("没有这个区域，或其不在本次筛查和您的辖区内。"))
        return region

    def clean_samplers(self) -> list:
        return [self.candidates[pk] for pk in self.cleaned_data["samplers"]]


class AssignSamplersForm(BootstrapForm):
    samplers = _SamplerChoice(label=_("增派采样人员"))

    def __init__(self, *args, site: SamplingSite, candidates, assigned=(), **kwargs):
        super().__init__(*args, prefix=f"assign-{site.pk}", **kwargs)
        taken = {user.pk for user in assigned}
        self.candidates = {str(u.pk): u for u in candidates if u.pk not in taken}
        cast(_SamplerChoice, self.fields["samplers"]).choices = [
            (pk, u.choice_label()) for pk, u in self.candidates.items()
        ]

    def clean_samplers(self) -> list:
        return [self.candidates[pk] for pk in self.cleaned_data["samplers"]]


class ExemptionForm(BootstrapForm):
    """The person is chosen among the results of a search (`q`), shown as radio buttons."""

    q = forms.CharField(
        label=_("查找居民"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("姓名或证件号后4位")}),
    )
    person = forms.UUIDField(label=_("居民"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("免检原因"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：住院治疗")}),
    )
    round = forms.ChoiceField(label=_("轮次"), required=False)

    def __init__(self, *args, user, campaign: Campaign, rounds: list[Round], **kwargs):
        super().__init__(*args, prefix="exempt", **kwargs)
        self.user, self.campaign = user, campaign
        self.rounds = {str(r.pk): r for r in rounds}
        cast(forms.ChoiceField, self.fields["round"]).choices = [("", _("所有轮次"))] + [
            (pk, str(r)) for pk, r in self.rounds.items()
        ]

    def clean_person(self) -> Person:
        try:
            return screen.resident_by_id(self.user, self.campaign, self.cleaned_data["person"])
        except ValidationError as exc:
            raise forms.ValidationError(_("请先查找并选择一位本次筛查区域内的居民。")) from exc

    def clean_round(self) -> Round | None:
        return self.rounds.get(self.cleaned_data.get("round") or "")
