"""The residents' notices on the portal: the list, one notice (opening it counts as read),
and "I have read it" where the notice asks."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core.views import cursor_page
from fangyi.people.models import Person
from fangyi.portal.auth import resident_person, resident_required

from . import services
from .models import Notice

NEWEST = ("-published_at", "-id")


def _holder(request) -> Person:
    holder = resident_person(request)
    # resident_required has let only a logged-in resident through.
    assert holder is not None
    return holder


@resident_required
def mine(request):
    holder = _holder(request)
    rows, next_cursor = cursor_page(request, services.resident_notices(holder), NEWEST)
    reads = services.reads_of(holder, [notice.pk for notice in rows])
    return render(
        request,
        "notices/portal/mine.html",
        {
            "holder": holder,
            "items": [(notice, reads.get(notice.pk)) for notice in rows],
            "next_cursor": next_cursor,
        },
    )


@resident_required
def detail(request, pk):
    holder = _holder(request)
    try:
        notice, read = services.read_notice(person=holder, notice_id=pk)
    except Notice.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request, "notices/portal/detail.html", {"holder": holder, "notice": notice, "read": read}
    )


@resident_required
@require_POST
def confirm(request, pk):
    holder = _holder(request)
    try:
        services.confirm_notice(person=holder, notice_id=pk)
    except Notice.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已确认，谢谢。"))
    return redirect("mynotices:detail", pk=pk)
