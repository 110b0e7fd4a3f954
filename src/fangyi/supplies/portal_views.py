"""The residents' supplies pages on the portal: my requests and their states, making one for
me or someone I look after, and withdrawing one nobody has taken up yet."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core.forms import add_service_errors
from fangyi.people.models import Person
from fangyi.portal.auth import resident_person, resident_required
from fangyi.portal.services import confirmed_dependants, subject

from . import services
from .forms import CancelForm, RequestForm
from .models import Request, RequestState
from .views import NEWEST, paged, prescription_response, with_clocks


def _holder(request) -> Person:
    holder = resident_person(request)
    # resident_required has let only a logged-in resident through.
    assert holder is not None
    return holder


def _chosen(request, holder: Person) -> Person:
    wanted = request.GET.get("person") or None
    try:
        pk = subject(holder.pk, wanted)
    except Person.DoesNotExist:
        pk = holder.pk
    return holder if pk == holder.pk else Person.objects.get(pk=pk)


def _mine(holder: Person, pk: uuid.UUID) -> Request:
    found = services.resident_requests(holder.pk).select_related("person").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@resident_required
def mine(request):
    holder = _holder(request)
    rows, next_cursor = paged(
        request, services.resident_requests(holder.pk).select_related("person"), NEWEST
    )
    return render(
        request,
        "supplies/portal/mine.html",
        {"holder": holder, "rows": with_clocks(rows), "next_cursor": next_cursor},
    )


@resident_required
def new(request):
    holder = _holder(request)
    person = _chosen(request, holder)
    form = RequestForm(
        request.POST or None,
        request.FILES or None,
        catalogue=services.catalogue_for(person.region_path),
    )
    del form.fields["person"]
    if request.method == "POST" and form.is_valid():
        draft = services.Draft(
            kind=form.cleaned_data["kind"],
            items=form.lines(),
            person=person,
            urgency=form.cleaned_data["urgency"],
            notes=form.cleaned_data["notes"],
            chronic_condition=form.cleaned_data["chronic_condition"],
            confirmed=form.cleaned_data["confirmed"],
            prescription=form.photo(),
        )
        try:
            made = services.submit_for_resident(holder=holder, draft=draft)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            if "confirmed" in getattr(exc, "error_dict", {}):
                form.ask_to_confirm()
            add_service_errors(form, exc)
        else:
            messages.success(request, _("需求已提交，工作人员会尽快处理。"))
            return redirect("mysupplies:detail", pk=made.pk)
    return render(
        request,
        "supplies/portal/new.html",
        {
            "holder": holder,
            "subject": person,
            "dependants": confirmed_dependants(holder.pk),
            "form": form,
        },
    )


@resident_required
def detail(request, pk: uuid.UUID):
    holder = _holder(request)
    found = _mine(holder, pk)
    return render(
        request,
        "supplies/portal/detail.html",
        {
            "holder": holder,
            "request_": with_clocks([found])[0],
            "items": list(found.items.order_by("id")),
            "events": list(found.events.order_by("at", "id")),
            "may_cancel": found.made_by_person_id == holder.pk
            and found.state == RequestState.SUBMITTED,
            "has_prescription": services.has_prescription(found),
            "form": CancelForm(),
        },
    )


@resident_required
@require_POST
def cancel(request, pk: uuid.UUID):
    holder = _holder(request)
    found = _mine(holder, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("取消需求请写明原因。"))
        return redirect("mysupplies:detail", pk=pk)
    try:
        services.cancel_own(holder=holder, request=found, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("需求已取消。"))
    return redirect("mysupplies:detail", pk=pk)


@resident_required
def prescription(request, pk: uuid.UUID):
    return prescription_response(_mine(_holder(request), pk))
