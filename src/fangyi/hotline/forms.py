"""The hotline pages' forms: the intake while on the phone, and each action on a ticket."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm
from fangyi.fieldwork.models import TaskKind
from fangyi.supplies.models import RequestKind

from . import services
from .models import Category, Channel, Satisfaction, Urgency

REGION_CODE_LONGEST = 18


def category_choices(*, active_only: bool = True) -> list[tuple[str, str]]:
    """The categories (the active ones only, unless asked) as a tree: children indented
    under their parent."""
    nodes = Category.objects.order_by("order", "id")
    if active_only:
        nodes = nodes.filter(active=True)
    children: dict[int | None, list[Category]] = {}
    for node in list(nodes):
        children.setdefault(node.parent_id, []).append(node)
    choices: list[tuple[str, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for node in children.get(parent, []):
            choices.append((node.code, f"{'　' * depth}{node.name}"))
            walk(node.pk, depth + 1)

    walk(None, 0)
    return choices


class IntakeForm(BootstrapForm):
    channel = forms.ChoiceField(label=_("来源渠道"), choices=Channel.choices)
    number = forms.CharField(
        label=_("来电号码或证件后 4 位"),
        max_length=20,
        required=False,
        help_text=_("输入后自动查找居民和此前的工单。"),
    )
    caller_person = forms.UUIDField(required=False, widget=forms.HiddenInput)
    caller_name = forms.CharField(label=_("来电人姓名"), max_length=50, required=False)
    region = forms.CharField(
        label=_("所在区域（代码）"),
        max_length=REGION_CODE_LONGEST,
        required=False,
        help_text=_("选到楼栋最好；不知道时填地址，选到市或街道即可，稍后再定位。"),
    )
    address = forms.CharField(label=_("地址"), max_length=services.MAX_ADDRESS, required=False)
    category = forms.ChoiceField(label=_("类别"))
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)
    description = forms.CharField(
        label=_("诉求内容"),
        max_length=services.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["channel"].widget.attrs["autofocus"] = True

    def clean_region(self) -> str:
        code = self.cleaned_data["region"].strip()
        if code and not code.isdigit():
            raise forms.ValidationError(_("区域代码只能是数字。"))
        return code


class ReasonForm(BootstrapForm):
    reason = forms.CharField(
        label=_("退回原因"), max_length=services.MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(BootstrapForm):
    note = forms.CharField(
        label=_("办理记录"), max_length=services.MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReplyForm(BootstrapForm):
    text = forms.CharField(
        label=_("答复内容"),
        max_length=services.MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CallbackForm(BootstrapForm):
    callback = forms.UUIDField(widget=forms.HiddenInput)
    result = forms.ChoiceField(
        label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("回访记录"),
        max_length=services.MAX_NOTE,
        required=False,
        help_text=_("不满意时必填：来电人的理由，工单将带着它退回承办单位重办（仅一次）。"),
    )


class MergeForm(BootstrapForm):
    into = forms.CharField(label=_("合并到的工单号"), max_length=24)
    confirmed = forms.BooleanField(
        label=_("确认合并：本工单不再单独办理，诉求和来电人并入目标工单。"), required=False
    )


class SupplyForm(BootstrapForm):
    """A supply request from a ticket: for the caller's household, or a building and a room."""

    kind = forms.ChoiceField(label=_("需求类型"), choices=RequestKind.choices)
    building = forms.CharField(label=_("楼栋代码"), max_length=REGION_CODE_LONGEST, required=False)
    room = forms.CharField(label=_("房号"), max_length=20, required=False)
    item = forms.CharField(label=_("物品或药品名称"), max_length=100, required=False)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=99, initial=1)
    unit = forms.CharField(label=_("单位"), max_length=10, initial="份")
    dose = forms.CharField(label=_("用法用量"), max_length=100, required=False)
    notes = forms.CharField(label=_("说明"), max_length=500, required=False)
    chronic_condition = forms.CharField(
        label=_("慢性病（购药时填写）"), max_length=100, required=False
    )


class AppealForm(BootstrapForm):
    """A health-code appeal (纠错) from a ticket: for a member of the caller's household,
    against one active zone they live in or one of their recent records."""

    person = forms.ChoiceField(label=_("申诉人（来电人住户成员）"))
    target = forms.ChoiceField(label=_("申诉对象（管控区域或一条记录）"))
    reason = forms.CharField(
        label=_("申诉理由"),
        max_length=services.MAX_NOTE,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("例如：当天不在该地，有行程记录")}
        ),
    )

    def __init__(self, *args, people=(), targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["person"]).choices = list(people)
        cast(forms.ChoiceField, self.fields["target"]).choices = list(targets)


class FieldTaskForm(BootstrapForm):
    """A task for the grid team about the caller (a visit, a delivery, a referral)."""

    kind = forms.ChoiceField(
        label=_("任务类型"),
        choices=[
            (kind.value, kind.label)
            for kind in (TaskKind.FOLLOW_UP_VISIT, TaskKind.DELIVERY, TaskKind.FEVER_REFERRAL)
        ],
    )
    notes = forms.CharField(label=_("说明"), max_length=500, required=False)


class PlaceForm(BootstrapForm):
    """Where a place told in words is: a building listed under the ticket's place, or any
    region's code (a building at best) where the user may change tickets."""

    building = forms.CharField(
        label=_("楼栋"), max_length=REGION_CODE_LONGEST, required=False, widget=forms.Select
    )
    region = forms.CharField(
        label=_("或区域代码"),
        max_length=REGION_CODE_LONGEST,
        required=False,
        help_text=_("楼栋不在列表中时填写其代码；只知道街道或社区时填其代码，稍后再定位到楼栋。"),
    )

    def __init__(self, *args, buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.Select, self.fields["building"].widget).choices = [
            ("", _("（请选择）")),
            *buildings,
        ]

    def clean(self):
        data = super().clean()
        if self.has_error("building") or self.has_error("region"):
            # Too long: said already, and the field is gone from the data.
            return data
        building = (data.get("building") or "").strip()
        region = (data.get("region") or "").strip()
        if not building and not region:
            raise forms.ValidationError(_("请选择楼栋，或填写区域代码。"))
        if building and region and building != region:
            raise forms.ValidationError(_("楼栋和区域代码只填一项。"))
        code = building or region
        if not code.isdigit():
            raise forms.ValidationError(_("区域代码只能是数字。"))
        data["code"] = code
        return data
