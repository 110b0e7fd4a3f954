from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm

from . import services
from .models import Application, Standing


class EnterpriseFilterForm(BootstrapForm):
    region = forms.CharField(
        label=_("区域代码"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("区域代码")}),
    )
    standing = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *Standing.choices]
    )


class ApplicationFilterForm(BootstrapForm):
    region = EnterpriseFilterForm.base_fields["region"]
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *Application.State.choices],
        initial=Application.State.PENDING,
    )


class EnterpriseForm(BootstrapForm):
    name = forms.CharField(label=_("企业名称"), max_length=services.MAX_NAME)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=18, help_text=_("18 位，含校验位。")
    )
    region = forms.CharField(
        label=_("所在区域代码"),
        max_length=18,
        help_text=_("企业地址所在的街道、社区或网格的区划代码。"),
    )
    address = forms.CharField(label=_("地址"), max_length=services.MAX_ADDRESS, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=11)


class ApplyForm(BootstrapForm):
    staff_count = forms.IntegerField(label=_("职工人数"), min_value=1, max_value=services.MAX_STAFF)
    commitments = forms.MultipleChoiceField(
        label=_("防控承诺"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitments"].choices = [
            (c.code, c.label) for c in services.active_commitments()
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=services.MAX_REASON)


class AccountForm(BootstrapForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput)


class LinkForm(BootstrapForm):
    id_number = forms.CharField(label=_("身份证号"), max_length=32)
    name = forms.CharField(label=_("姓名"), max_length=50)
