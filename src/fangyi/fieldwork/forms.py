"""Forms of the task pages. They only shape input; the services validate and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm

from . import services
from .models import TaskKind, TaskStatus

PENDING_FILTER, ALL_FILTER = "", "all"


class TaskFilterForm(BootstrapForm):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[(PENDING_FILTER, _("未办结")), (ALL_FILTER, _("全部状态")), *TaskStatus.choices],
    )
    kind = forms.ChoiceField(
        label=_("任务类型"), required=False, choices=[("", _("全部类型")), *TaskKind.choices]
    )
    region = forms.CharField(
        label=_("区域代码"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("区域代码")}),
    )
    overdue = forms.BooleanField(label=_("只看已超期"), required=False)


def taker_label(user) -> str:
    full = user.get_full_name()
    return f"{full}（{user.get_username()}）" if full else user.get_username()


class AssignForm(BootstrapForm):
    assignee = forms.ChoiceField(label=_("承办人"))

    def __init__(self, *args, takers, **kwargs):
        super().__init__(*args, **kwargs)
        self.takers = {str(user.pk): user for user in takers}
        self.fields["assignee"].choices = [
            ("", _("选择承办人")),
            *((pk, taker_label(user)) for pk, user in self.takers.items()),
        ]

    def clean_assignee(self):
        return self.takers[self.cleaned_data["assignee"]]


class CompleteForm(BootstrapForm):
    note = forms.CharField(
        label=_("办理情况"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("例如：已上门采样，管号 …")}),
    )


class FailForm(BootstrapForm):
    reason = forms.CharField(
        label=_("未能完成原因"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("例如：多次敲门无人应答")}),
    )


class ReopenForm(BootstrapForm):
    reason = forms.CharField(
        label=_("重新打开的原因"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
