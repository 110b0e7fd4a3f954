from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm

from .models import (
    TAG_FIELDS,
    TAG_LABELS,
    TAG_SLUGS,
    Gender,
    Household,
    IdType,
    Person,
    ResidenceStatus,
    person_colours,
)
from .validation import (
    birth_date_from_resident_id,
    gender_from_resident_id,
    validate_resident_id,
)

# Personal fields an edit form never shows in plain text.
KEPT_WHEN_BLANK = ("name", "id_number", "phone", "birth_date")


def _label(model, name: str):
    return model._meta.get_field(name).verbose_name


class PersonSearchForm(BootstrapForm):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={"placeholder": _("姓名、身份证号、后4位或手机号"), "type": "search"}
        ),
    )
    tag = forms.ChoiceField(
        label=_("特殊人群"),
        required=False,
        choices=[("", _("全部人群"))] + [(slug, TAG_LABELS[slug]) for slug in TAG_SLUGS],
    )
    colour = forms.ChoiceField(
        label=_("健康码"),
        required=False,
        choices=lambda: [("", _("全部颜色")), *person_colours()],
    )
    status = forms.ChoiceField(
        label=_label(Person, "residence_status"),
        required=False,
        choices=[("", _("全部状态")), *ResidenceStatus.choices],
    )
    region = forms.CharField(
        label=_("区域代码"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("区域代码")}),
    )


class PersonForm(BootstrapForm):
    """The editable fields of a person, in the shape people.services expects."""

    name = forms.CharField(label=_label(Person, "name"), max_length=50)
    id_type = forms.ChoiceField(label=_label(Person, "id_type"), choices=IdType.choices)
    id_number = forms.CharField(label=_label(Person, "id_number"), max_length=32)
    gender = forms.ChoiceField(
        label=_label(Person, "gender"),
        required=False,
        choices=[("", _("按身份证号")), *Gender.choices],
    )
    birth_date = forms.DateField(
        label=_label(Person, "birth_date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("居民身份证可不填，按证件号码推算。"),
    )
    phone = forms.CharField(
        label=_label(Person, "phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    residence_status = forms.ChoiceField(
        label=_label(Person, "residence_status"), choices=ResidenceStatus.choices
    )
    tags = forms.MultipleChoiceField(
        label=_("特殊人群"),
        required=False,
        choices=[(slug, TAG_LABELS[slug]) for slug in TAG_FIELDS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("老年人按出生日期自动标记。"),
    )
    notes = forms.CharField(
        label=_label(Person, "notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, person: Person | None = None, **kwargs):
        if person is not None:
            kwargs.setdefault("initial", self.initial_for(person))
        super().__init__(*args, **kwargs)
        self.person = person
        if person is None:
            return
        # Editing must not be a way around the logged reveal: personal fields start empty,
        # show their masked value, and keep it unless something new is typed.
        cast(forms.ChoiceField, self.fields["gender"]).choices = Gender.choices
        self.fields["gender"].required = True
        masked = {
            "name": person.masked_name,
            "id_number": person.masked_id_number,
            "phone": person.masked_phone,
        }
        for name in KEPT_WHEN_BLANK:
            field = self.fields[name]
            field.required = False
            field.help_text = _("留空则保持不变。")
            if masked.get(name):
                field.widget.attrs["placeholder"] = masked[name]

    @staticmethod
    def initial_for(person: Person) -> dict:
        return {
            "id_type": person.id_type,
            "gender": person.gender,
            "residence_status": person.residence_status,
            "tags": [slug for slug, field in TAG_FIELDS.items() if getattr(person, field)],
            "notes": person.notes,
        }

    def changes(self) -> dict:
        """What to hand to update_person: blank personal fields mean "unchanged"."""
        changes = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in KEPT_WHEN_BLANK or value not in ("", None)
        }
        new_number = changes.get("id_number")
        if new_number and changes["id_type"] == IdType.RESIDENT_ID:
            # A new resident ID carries its own birth date and gender unless both were typed.
            try:
                number = validate_resident_id(new_number)
            except ValidationError:
                return changes  # the service reports what is wrong with it
            changes.setdefault("birth_date", birth_date_from_resident_id(number))
            if "gender" not in self.changed_data:
                changes["gender"] = gender_from_resident_id(number)
        return changes


class RevealForm(BootstrapForm):
    reason = forms.CharField(
        label=_("查看理由"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("例如：电话通知核酸检测")}),
    )


class HouseholdForm(BootstrapForm):
    unit = forms.CharField(label=_label(Household, "unit"), required=False, max_length=20)
    room = forms.CharField(label=_label(Household, "room"), max_length=20)
    notes = forms.CharField(
        label=_label(Household, "notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
