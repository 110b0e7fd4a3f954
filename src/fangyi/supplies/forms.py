"""The supplies forms: a request (the resident's and the staff's), a change of state, a cost,
a catalogue item, the time limits."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm

from . import services
from .models import ItemKind, Payment, RequestKind, RequestState, Urgency

# Lines on the form; a request needing more is made in two, or through the API.
FORM_LINES = 5


class RequestForm(BootstrapForm):
    """A request: what kind, for whom, which items (from the catalogue or typed), how urgent.

    A quantity far above the usual is refused once by the service; the form then shows the
    `confirmed` box with the reason, and the request goes through when it is ticked.
    """

    kind = forms.ChoiceField(label=_("需求类型"), choices=RequestKind.choices)
    person = forms.ChoiceField(label=_("需求人"), required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)
    chronic_condition = forms.CharField(
        label=_("慢性病"), max_length=100, required=False, help_text=_("药品需求必填。")
    )
    notes = forms.CharField(
        label=_("备注"),
        max_length=services.MAX_NOTES,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("生活帮助（维修、就医出行等）请在这里说明。"),
    )
    prescription = forms.FileField(
        label=_("处方照片"),
        required=False,
        help_text=_("可选，JPEG、PNG 或 WebP，不超过 5 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    confirmed = forms.BooleanField(
        label=_("我确认以上数量无误"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, catalogue=(), members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = {str(item.pk): item for item in catalogue}
        choices = [("", _("（不从目录选择）"))] + [
            (key, f"{item.name} · {item.unit} · ¥{item.price}")
            for key, item in self.catalogue.items()
        ]
        self.fields["person"].choices = [("", _("全户"))] + [
            (str(person.pk), person.masked_name) for person in members
        ]
        for index in range(FORM_LINES):
            self.fields[f"item_{index}_catalogue"] = forms.ChoiceField(
                label=_("物资 %(n)d") % {"n": index + 1}, choices=choices, required=False
            )
            self.fields[f"item_{index}_name"] = forms.CharField(
                label=_("或填写名称（药品填药名）"), max_length=100, required=False
            )
            self.fields[f"item_{index}_dose"] = forms.CharField(
                label=_("用法用量"), max_length=100, required=False
            )
            self.fields[f"item_{index}_quantity"] = forms.IntegerField(
                label=_("数量"), min_value=1, max_value=services.MAX_QUANTITY, required=False
            )
            for part in ("catalogue", "name", "dose", "quantity"):
                widget = self.fields[f"item_{index}_{part}"].widget
                widget.attrs["class"] = "form-select" if part == "catalogue" else "form-control"

    def ask_to_confirm(self) -> None:
        self.fields["confirmed"].widget = forms.CheckboxInput(attrs={"class": "form-check-input"})

    def lines(self) -> list[services.ItemInput]:
        lines = []
        for index in range(FORM_LINES):
            key = self.cleaned_data.get(f"item_{index}_catalogue") or ""
            name = self.cleaned_data.get(f"item_{index}_name") or ""
            quantity = self.cleaned_data.get(f"item_{index}_quantity")
            if not key and not name:
                continue
            lines.append(
                services.ItemInput(
                    quantity=quantity or 0,
                    catalogue_item=self.catalogue.get(key),
                    name=name,
                    dose=self.cleaned_data.get(f"item_{index}_dose") or "",
                )
            )
        return lines

    def clean_prescription(self):
        upload = self.cleaned_data.get("prescription")
        if upload and upload.size > services.PRESCRIPTION_MAX_BYTES:
            raise forms.ValidationError(_("处方照片不能超过 5 MB。"))
        return upload

    def photo(self) -> services.Photo | None:
        upload = self.cleaned_data.get("prescription")
        return services.Photo(upload.read()) if upload else None


class StaffRequestForm(RequestForm):
    hotline_ticket = forms.CharField(
        label=_("热线工单号"), max_length=40, required=False, help_text=_("由热线来电转来时填写。")
    )
    payment = forms.ChoiceField(label=_("支付状态"), choices=Payment.choices)


class HouseholdForm(BootstrapForm):
    """Which household a staff member makes a request for: a building of their scope and a
    room."""

    building = forms.ChoiceField(label=_("楼栋"))
    room = forms.CharField(label=_("房号"), max_length=20)

    def __init__(self, *args, buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [(b.code, b.name) for b in buildings]


class TransitionForm(BootstrapForm):
    to_state = forms.ChoiceField(choices=RequestState.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("原因"), max_length=services.MAX_NOTE, required=False)
    confirmation = forms.ChoiceField(
        label=_("送达确认方式"),
        required=False,
        choices=[("", "—"), *services.Confirmation.choices],
    )
    code = forms.CharField(label=_("居民码"), max_length=2000, required=False)
    note = forms.CharField(label=_("签收说明"), max_length=services.MAX_NOTE, required=False)
    left_at = forms.DateTimeField(
        label=_("放置时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class CostForm(BootstrapForm):
    payment = forms.ChoiceField(label=_("支付状态"), choices=Payment.choices)
    amount = forms.DecimalField(
        label=_("金额（留空则不变）"),
        required=False,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
    )


class CatalogueItemForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("类别"), choices=ItemKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    unit = forms.CharField(label=_("单位"), max_length=20)
    price = forms.DecimalField(
        label=_("单价"), min_value=Decimal("0"), max_digits=10, decimal_places=2
    )
    usual_max = forms.IntegerField(
        label=_("常规最大数量"),
        min_value=1,
        max_value=services.MAX_QUANTITY,
        initial=5,
        help_text=_("超过此数量时，提交人须再次确认。"),
    )
    active = forms.BooleanField(label=_("在售"), required=False, initial=True)


class CatalogueAddForm(CatalogueItemForm):
    region = forms.ChoiceField(label=_("供应范围"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]


class CancelForm(BootstrapForm):
    reason = forms.CharField(label=_("取消原因"), max_length=services.MAX_NOTE)
