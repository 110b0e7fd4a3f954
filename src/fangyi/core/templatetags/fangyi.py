"""Template helpers shared by every area's pages: permission checks, the navigation, tag badges,
audit diffs."""

from typing import Protocol

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.template import Context
from django.utils.translation import gettext as _

from fangyi.core.areas import MenuEntry, menu_for
from fangyi.core.masking import mask_id_number, mask_name, mask_phone
from fangyi.core.models import ObjectChange
from fangyi.core.permissions import can

register = template.Library()

# Audit rows keep personal data in plain text; pages show it masked so that reading the audit
# log is never a way around the logged reveal.
_MASKED_AUDIT_FIELDS = {"name": mask_name, "id_number": mask_id_number, "phone": mask_phone}


@register.simple_tag(takes_context=True)
def allowed(context: Context, resource: str, action: str, path: str | None = None) -> bool:
    """{% allowed "person" "change" person.region_path as may_edit %}"""
    return can(context["request"].user, resource, action, path)


@register.simple_tag(takes_context=True)
def navigation(context: Context) -> list[MenuEntry]:
    """{% navigation as menu %}: the links the areas declare, as far as the user may follow them."""
    return menu_for(context["request"].user)


class Tagged(Protocol):
    """What the tag badges show: a person's tags, as labels."""

    @property
    def tag_labels(self) -> list[str]: ...


@register.inclusion_tag("core/_tag_badges.html")
def tag_badges(person: Tagged) -> dict[str, list[str]]:
    return {"labels": person.tag_labels}


def _field_label(object_type: str, name: str) -> str:
    try:
        model = apps.get_model(object_type)
        field = model._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return name
    # A key named after a reverse relation (a request's "items") has no label of its own.
    return str(getattr(field, "verbose_name", name))


def _shown(name: str, value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if name in _MASKED_AUDIT_FIELDS:
        return _MASKED_AUDIT_FIELDS[name](str(value))
    return str(value)


@register.simple_tag
def audit_diff(change: ObjectChange) -> list[dict[str, str]]:
    """Changed fields of an ObjectChange as label/before/after, personal data masked."""
    before, after = change.before or {}, change.after or {}
    return [
        {
            "label": _field_label(change.object_type, name),
            "before": _shown(name, before.get(name)),
            "after": _shown(name, after.get(name)),
        }
        for name in change.changed_fields()
    ]
