"""Form helpers shared by every area's pages."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError

# Type checkers see the mixin as the form it is mixed into, which holds `fields`.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class BootstrapMixin(_FormBase):
    """Gives each widget Bootstrap's class, so templates can render fields in a loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class BootstrapForm(BootstrapMixin, forms.Form):
    pass


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Shows a service's ValidationError next to the fields it names, the rest above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
