"""Staff pages: print a card code for a resident, revoke a resident's codes."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fangyi.core.forms import add_service_errors
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.people.models import Person

from . import services
from .area import CODE
from .qr import qr_svg


def _person(request, person_id) -> Person:
    queryset = Person.objects.restrict(request.user, VIEW).select_related("household__building")
    return get_object_or_404(queryset, pk=person_id)


@login_required
def card(request, person_id):
    """GET asks to confirm (printing is logged); POST issues the card and shows it for print."""
    person = _person(request, person_id)
    if not can(request.user, CODE, ADD, person.region_path):
        raise PermissionDenied
    if request.method == "POST":
        issued = services.issue_card_code(user=request.user, person=person)
        return render(
            request,
            "codes/card_print.html",
            {"person": person, "issued": issued, "svg": mark_safe(qr_svg(issued.text, scale=5))},
        )
    return render(request, "codes/card_confirm.html", {"person": person})


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销理由"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("例如：卡片遗失、截图外传")}),
    )


@login_required
def revoke(request, person_id):
    person = _person(request, person_id)
    if not can(request.user, CODE, CHANGE, person.region_path):
        raise PermissionDenied
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cards = services.revoke_codes(
                user=request.user, person=person, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "已撤销该居民手机上的码和 %(cards)d 张打印的卡片码或隔离文书；卡点刷新撤销名单后即拒绝。",
                    "已撤销该居民手机上的码和 %(cards)d 张打印的卡片码或隔离文书；卡点刷新撤销名单后即拒绝。",
                    cards,
                )
                % {"cards": cards},
            )
            return redirect("people:person-detail", pk=person.pk)
    return render(request, "codes/revoke.html", {"person": person, "form": form})
