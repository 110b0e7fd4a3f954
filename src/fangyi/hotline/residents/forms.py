"""The resident's request on the portal: a category of the tree in use, what they need, and
where, when it is not their own building."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.portal.forms import NoNulForm

from .. import services
from ..forms import category_choices


class ResidentTicketForm(NoNulForm):
    category = forms.ChoiceField(
        label=_("类别"),
        error_messages={
            "required": _("请选择类别。"),
            "invalid_choice": _("没有这个类别，请从列表中选择。"),
        },
    )
    description = forms.CharField(
        label=_("诉求内容"),
        max_length=services.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明需要什么帮助、为谁、从何时开始。"),
        error_messages={
            "required": _("请写明您的诉求。"),
            "max_length": _("最多 %(limit_value)d 个字（现有 %(show_value)d 个）。"),
        },
    )
    address = forms.CharField(
        label=_("地点（选填）"),
        max_length=services.MAX_ADDRESS,
        required=False,
        help_text=_("默认是您登记的住址；发生在别处或需写明单元、房号时填写。"),
        error_messages={"max_length": _("最多 %(limit_value)d 个字（现有 %(show_value)d 个）。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("请选择")), *category_choices()]
