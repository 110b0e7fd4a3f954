import re

from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm
from fangyi.core.permissions import VIEW
from fangyi.regions.models import Region

from . import services
from .models import NoticeState

_CODES = re.compile(r"[\s,，、;；]+")


class NoticeFilterForm(BootstrapForm):
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *NoticeState.choices]
    )


class NoticeForm(BootstrapForm):
    title = forms.CharField(label=_("标题"), max_length=services.MAX_TITLE)
    body = forms.CharField(
        label=_("正文"),
        max_length=services.MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    regions = forms.CharField(
        label=_("通知范围（区划代码）"),
        max_length=400,
        help_text=_("一个或多个区划代码（街道、社区、网格或楼栋），用空格或逗号分隔。"),
    )
    ask_confirm = forms.BooleanField(
        label=_("需居民确认已读"),
        required=False,
        help_text=_("居民在居民端阅读后需点击“我已知晓”。"),
    )

    def __init__(self, *args, user, notice=None, **kwargs):
        if notice is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": notice.title,
                    "body": notice.body,
                    "regions": " ".join(
                        t.region.code for t in notice.targets.select_related("region")
                    ),
                    "ask_confirm": notice.ask_confirm,
                },
            )
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_regions(self) -> list[Region]:
        codes = [code for code in _CODES.split(self.cleaned_data["regions"]) if code]
        if not codes:
            raise forms.ValidationError(_("请至少选择一个区域。"))
        if len(codes) > services.MAX_REGIONS:
            raise forms.ValidationError(_("最多 %(max)d 个区域。") % {"max": services.MAX_REGIONS})
        regions = []
        for code in codes:
            region = Region.objects.restrict(self.user, VIEW).filter(code=code).first()
            if region is None:
                raise forms.ValidationError(
                    _("没有区域 %(code)s，或其不在您的辖区内。") % {"code": code[:18]}
                )
            regions.append(region)
        return regions


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=services.MAX_REASON)
    confirm = forms.BooleanField(label=_("我已核实，确认执行"))


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("我已核实，确认执行"))
