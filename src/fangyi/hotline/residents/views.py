"""The resident's requests to the 12345 hotline on the portal: one page with the form and
their own earlier requests, newest first. After filing, the page shows the new ticket's
number and its time limit."""

import uuid

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from fangyi.core.forms import add_service_errors
from fangyi.core.ratelimit import RateLimited
from fangyi.core.views import cursor_page
from fangyi.people.models import Person
from fangyi.portal.auth import resident_person, resident_required

from .. import queries, services
from ..models import Category
from .forms import ResidentTicketForm

NEWEST = ("-received_at", "-id")


def _holder(request) -> Person:
    holder = resident_person(request)
    # resident_required has let only a logged-in resident through.
    assert holder is not None
    return holder


def _filed(request, holder: Person):
    """The ticket named by ?filed=, if it is one of the resident's own."""
    try:
        pk = uuid.UUID(request.GET.get("filed", "")[:40])
    except ValueError:
        return None
    return queries.resident_tickets(holder.pk).filter(pk=pk).first()


@resident_required
def mine(request):
    holder = _holder(request)
    form = ResidentTicketForm(request.POST or None)
    status, retry_after = 200, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        category = Category.objects.filter(code=data["category"], active=True).first()
        try:
            if category is None:
                raise ValidationError({"category": _("没有这个类别，请从列表中选择。")})
            ticket = services.intake_for_resident(
                holder=holder,
                category=category,
                description=data["description"],
                address=data["address"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except RateLimited as exc:
            form.add_error(
                None,
                _("%(reason)s（约 %(seconds)s 秒后可再试）")
                % {"reason": exc.message, "seconds": exc.retry_after},
            )
            status, retry_after = 429, exc.retry_after
        else:
            return redirect(f"{reverse('mytickets:mine')}?filed={ticket.pk}")
    rows, next_cursor = cursor_page(request, queries.resident_tickets(holder.pk), NEWEST)
    response = render(
        request,
        "hotline/residents/mine.html",
        {
            "holder": holder,
            "form": form,
            "filed": _filed(request, holder) if request.method == "GET" else None,
            "confidential": list(
                Category.objects.filter(active=True, confidential=True).values_list(
                    "name", flat=True
                )
            ),
            "rows": rows,
            "next_cursor": next_cursor,
        },
        status=status,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
