"""The way back from work a ticket started to the ticket, for other areas' pages:
`{% load hotline %}{% hotline_ticket "supply_request" request_.pk request_.hotline_ticket %}`.

A link to the ticket's page when the viewer sees the ticket (`models.sees`, the hotline's
scope: psychological-help tickets only to operators and their unit), the plain number
otherwise, nothing when the work names no ticket."""

import uuid

from django import template
from django.urls import reverse
from django.utils.html import format_html

from ..models import Ticket, TicketLink, sees

register = template.Library()


def _ticket(kind: str, target_id: uuid.UUID, number: str) -> Ticket | None:
    link = TicketLink.objects.filter(kind=kind, target_id=target_id).select_related("ticket")
    found = link.first()
    if found is not None:
        return found.ticket
    # Work made outside the hotline's services (a supply request typed in with a ticket's
    # number) names the ticket only by its number.
    return Ticket.objects.filter(number=number).first() if number else None


@register.simple_tag(takes_context=True)
def hotline_ticket(context, kind: str, target_id: uuid.UUID, number: str = "") -> str:
    ticket = _ticket(kind, target_id, number)
    if ticket is None:
        return number
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is not None and sees(user, ticket):
        return format_html(
            '<a href="{}" class="hotline-ticket">{}</a>',
            reverse("hotline:ticket", args=[ticket.pk]),
            ticket.number,
        )
    return ticket.number
