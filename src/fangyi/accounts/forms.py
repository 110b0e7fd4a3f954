from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm, BootstrapMixin
from fangyi.core.permissions import (
    ADD,
    EVERYWHERE,
    VIEW,
    can,
    grantable_roles,
    role_choices,
    scope_paths,
)
from fangyi.regions.models import Region

from .area import STAFF


class LoginForm(BootstrapMixin, AuthenticationForm):
    pass


class StaffCreateForm(BootstrapForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=150, required=False)
    password = forms.CharField(
        label=_("初始密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少8位，不能是常见密码。"),
    )
    role = forms.ChoiceField(label=_("角色"), choices=role_choices)
    region = forms.CharField(
        label=_("辖区代码"),
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("例如社区或网格的区划代码；可在区域页面点击“为本区域添加工作人员”。"),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        paths = scope_paths(actor, STAFF, ADD)
        if paths is not EVERYWHERE:
            offered = {role for path in paths for role in grantable_roles(actor, path)}
            self.fields["role"].choices = [
                (code, label) for code, label in role_choices() if code in offered
            ]

    def clean_region(self) -> Region:
        code = self.cleaned_data["region"].strip()
        region = Region.objects.restrict(self.actor, VIEW).filter(code=code).first()
        if region is None or not can(self.actor, STAFF, ADD, region.path):
            raise forms.ValidationError(_("没有找到该区域，或您不能在该区域添加工作人员。"))
        return region

    def clean(self):
        cleaned = super().clean()
        region, role = cleaned.get("region"), cleaned.get("role")
        if region is not None and role and role not in grantable_roles(self.actor, region.path):
            self.add_error("role", _("您不能在该区域分配此角色。"))
        return cleaned
