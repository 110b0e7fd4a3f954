"""The documents as pages: a PDF shown inline in the browser, ready to print."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from . import services


def _pdf(printed: services.Printed) -> HttpResponse:
    response = HttpResponse(printed.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{printed.filename}"'
    # A document names a person: no cache between the server and the printer may keep it.
    response["Cache-Control"] = "no-store"
    return response


def _refused(request, exc: ValidationError) -> HttpResponse:
    return render(
        request, "isolation/documents/refused.html", {"messages_": exc.messages}, status=422
    )


@login_required
@require_GET
def notice(request, order_id):
    order = get_object_or_404(services.orders_for(request.user), pk=order_id)
    try:
        return _pdf(services.print_notice(actor=request.user, order=order))
    except ValidationError as exc:
        return _refused(request, exc)


@login_required
@require_GET
def release(request, order_id):
    order = get_object_or_404(services.orders_for(request.user), pk=order_id)
    try:
        return _pdf(services.print_release(actor=request.user, order=order))
    except ValidationError as exc:
        return _refused(request, exc)


@login_required
@require_GET
def releases(request):
    """Release certificates of the orders ticked on an officer's list (`?orders=<id>` each),
    one page each."""
    try:
        printed = services.print_releases(
            actor=request.user, order_ids=request.GET.getlist("orders")
        )
    except ValidationError as exc:
        return _refused(request, exc)
    return _pdf(printed)
