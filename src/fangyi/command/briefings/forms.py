import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import services as command


class GenerateForm(forms.Form):
    region = forms.ChoiceField(label=_("区域"), widget=forms.Select(attrs={"class": "form-select"}))
    day = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"}),
        help_text=_("简报报告该日的指标；早上生成的是前一日的简报。"),
    )

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(region.code, region.name) for region in regions]
        self.fields["day"].initial = command.today() - datetime.timedelta(days=1)

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > command.today():
            raise forms.ValidationError(_("日期不能晚于今天。"))
        return day


class TemplateForm(forms.Form):
    text = forms.CharField(
        label=_("简报模板"),
        widget=forms.Textarea(attrs={"rows": 18, "class": "form-control font-monospace"}),
        max_length=20000,
        help_text=_(
            "以 # 开头的行是标题，空行分段。可用变量：{{ region }}、{{ day }}、"
            "{{ new_zones }}、{{ problems }}，以及每个指标的 {{ figures.分组.名称.value }}、"
            ".previous、.change，例如 {{ figures.cases.new.value }}。"
        ),
    )
