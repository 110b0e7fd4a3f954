"""Forms of the task pages. They only shape input; the services validate and decide."""

import uuid

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


class SelectedTasksForm(BootstrapForm):
    """The tasks ticked on the list."""

    task = forms.TypedMultipleChoiceField(coerce=uuid.UUID, choices=(), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].choices = [(value, value) for value in self.data.getlist("task")]

    def clean_task(self):
        return list(dict.fromkeys(self.cleaned_data["task"]))


class BulkCreateForm(BootstrapForm):
    """Tasks of one kind for each chosen person, or for every household of a building."""

    kind = forms.ChoiceField(label=_("任务类型"), choices=TaskKind.choices)
    due_at = forms.DateTimeField(
        label=_("截止时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    title = forms.CharField(label=_("标题"), required=False, max_length=services.MAX_TITLE)
    notes = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    building = forms.CharField(
        label=_("楼栋代码"),
        required=False,
        max_length=18,
        help_text=_("为该楼栋的每一户各建一个任务。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    person = forms.TypedMultipleChoiceField(coerce=uuid.UUID, choices=(), required=False)
    batch = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        values = self.data.getlist("person") if hasattr(self.data, "getlist") else []
        self.fields["person"].choices = [(value, value) for value in values]
        self.fields["person"].widget = forms.MultipleHiddenInput()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("building") and not cleaned.get("person"):
            raise forms.ValidationError(_("请选择居民，或填写楼栋代码。"))
        if cleaned.get("building") and cleaned.get("person"):
            raise forms.ValidationError(_("请只选择一种对象：居民或楼栋。"))
        return cleaned


class AssignForm(BootstrapForm):
    assignee = forms.ChoiceField(label=_("承办人"))

    def __init__(self, *args, takers, **kwargs):
        super().__init__(*args, **kwargs)
        self.takers = {str(user.pk): user for user in takers}
        self.fields["assignee"].choices = [
            ("", _("选择承办人")),
            *((pk, user.choice_label()) for pk, user in self.takers.items()),
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
