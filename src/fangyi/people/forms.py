from django import forms
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
)


def _label(model, name: str):
    return model._meta.get_field(name).verbose_name


class PersonSearchForm(BootstrapForm):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={"placeholder": _("姓名、身份证后4位或手机号"), "type": "search"}
        ),
    )
    tag = forms.ChoiceField(
        label=_("特殊人群"),
        required=False,
        choices=[("", _("全部人群"))] + [(slug, TAG_LABELS[slug]) for slug in TAG_SLUGS],
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
        if person is not None:
            # An existing person has both already; clearing them would not re-derive them.
            for name in ("gender", "birth_date"):
                self.fields[name].required = True
            self.fields["gender"].choices = Gender.choices
            self.fields["birth_date"].help_text = ""

    @staticmethod
    def initial_for(person: Person) -> dict:
        return {
            "name": person.name,
            "id_type": person.id_type,
            "id_number": person.id_number,
            "gender": person.gender,
            "birth_date": person.birth_date,
            "phone": person.phone,
            "residence_status": person.residence_status,
            "tags": [slug for slug, field in TAG_FIELDS.items() if getattr(person, field)],
            "notes": person.notes,
        }


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
