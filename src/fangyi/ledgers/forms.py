"""Forms of the ledger pages: upload, commit a dry run, export."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.core.forms import BootstrapForm
from fangyi.regions.models import Region

from .models import ExportFormat
from .services import export_region

ACCEPTED_FILES = ".xlsx,.xls,.csv"
EXPORT_FIELDS = {"region", "format", "reveal_reason"}
ALL_OR_NOTHING_LABEL = _("全部成功才导入（有任何错误则整个文件不导入）")


class ImportForm(BootstrapForm):
    file = forms.FileField(
        label=_("台账文件"),
        widget=forms.FileInput(attrs={"accept": ACCEPTED_FILES}),
        error_messages={
            "required": _("请选择要导入的文件。"),
            "empty": _("文件是空的。"),
        },
    )
    all_or_nothing = forms.BooleanField(label=ALL_OR_NOTHING_LABEL, required=False)


class CommitForm(BootstrapForm):
    all_or_nothing = forms.BooleanField(label=ALL_OR_NOTHING_LABEL, required=False)


class ExportForm(BootstrapForm):
    region = forms.CharField(
        label=_("区域代码"),
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("导出该区域及其下级区域的全部记录。"),
    )
    format = forms.ChoiceField(label=_("格式"), choices=ExportFormat.choices)
    reveal_reason = forms.CharField(
        label=_("导出明文（须填写理由，将被记录）"),
        required=False,
        max_length=200,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("留空则姓名、证件号码和手机号脱敏导出")}
        ),
    )

    def __init__(
        self, *args, user, ledger: str, may_reveal: bool, filters: dict | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.user = user
        self.ledger = ledger
        if not may_reveal:
            del self.fields["reveal_reason"]
        # The ledger's filters (residents: tag, residence status), as on the list exported.
        labels = {"tag": _("特殊人群标签"), "residence_status": _("居住状态")}
        for name, choices in (filters or {}).items():
            self.fields[name] = forms.ChoiceField(
                label=labels.get(name) or getattr(choices, "label", name),
                required=False,
                choices=[("", _("全部")), *((value, label) for value, label in choices.items())],
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        if filters:
            # After the region, before format and reason.
            order = ["region", *filters, "format", "reveal_reason"]
            self.order_fields(order)

    def filter_fields(self):
        return [self[name] for name in self.fields if name not in EXPORT_FIELDS]

    def filters(self) -> dict:
        return {
            name: self.cleaned_data.get(name, "")
            for name in self.fields
            if name not in EXPORT_FIELDS
        }

    def clean_region(self) -> Region:
        region = export_region(
            actor=self.user, ledger=self.ledger, code=self.cleaned_data["region"]
        )
        if region is None:
            raise forms.ValidationError(_("没有找到该区域，或不在您的辖区内。"))
        return region
