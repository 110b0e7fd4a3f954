"""What Open311 shows of the hotline: the services (categories) and requests (tickets) as the
GeoReport v2 fields, with nothing personal in them.

The rule (docs/hotline-open311.md):

- Confidential categories (psychological help) are no service, and their tickets are never
  listed nor found by id. Merged tickets are not listed either: the ticket they were merged
  into stands for them.
- No caller's name, phone or ID, and no free-text address, ever: the address is the names of
  the regions down to the community, and `address_id` is the community's code (a building
  could be one household's door).
- The description is public only for a ticket filed through Open311 itself (its filer wrote
  it for the public, knowing it); what an operator typed on the phone may name people, so
  other tickets answer the category's name instead. The unit's reply is never public either:
  `status_notes` says the state the ticket is in.
- `agency_responsible` is the handling unit's name, `service_notice` the category's limit.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.regions.models import PATH_LENGTHS, Level, Region, code_from_path

from ..clock import BEIJING, MINUTES, SAME_DAY, limit_for
from ..models import OPEN_STATES, Category, Channel, State, Ticket

COMMUNITY_PATH = PATH_LENGTHS[Level.COMMUNITY]
CLOSED_STATES = (State.RESOLVED, State.CLOSED)

SERVICE_FIELDS = (
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
)
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)


def public_categories() -> QuerySet[Category]:
    return (
        Category.objects.filter(active=True, confidential=False)
        .select_related("parent")
        .order_by("order", "id")
    )


def public_tickets() -> QuerySet[Ticket]:
    return Ticket.objects.filter(confidential=False).exclude(state=State.MERGED)


# The columns an answer reads: a page of 100 fetches no caller, reply or event columns.
ANSWER_COLUMNS = (
    "number",
    "channel",
    "state",
    "region_path",
    "description",
    "received_at",
    "updated_at",
    "due_at",
    "category__code",
    "category__name",
    "category__kind",
    "category__limit_minutes",
    "category__limit_working_days",
    "unit__name",
)


def for_answers(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.select_related("category", "unit").only(*ANSWER_COLUMNS)


def status_condition(statuses: Iterable[str]) -> Q:
    states: list[str] = []
    for status in statuses:
        states.extend(OPEN_STATES if status == "open" else CLOSED_STATES)
    return Q(state__in=states)


def notice(category: Category) -> str:
    limit = limit_for(
        kind=category.kind,
        urgent=False,
        limit_minutes=category.limit_minutes,
        limit_working_days=category.limit_working_days,
    )
    if limit.measure == MINUTES:
        return _("%(n)d 分钟内响应") % {"n": limit.amount}
    if limit.measure == SAME_DAY:
        return _("当日办结")
    return _("%(n)d 个工作日内办结") % {"n": limit.amount}


def service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.name,
        "metadata": False,
        "type": "realtime",
        "keywords": str(category.get_kind_display()),
        "group": category.parent.name if category.parent else category.name,
    }


def _moment(value: datetime.datetime | None) -> str | None:
    # W3C format with the offset, in Beijing time as the callers of the hotline read it.
    return value.astimezone(BEIJING).isoformat(timespec="seconds") if value else None


STATUS_NOTES = {
    State.NEW: gettext_lazy("已受理，待派单"),
    State.RETURNED: gettext_lazy("已受理，待重新派单"),
    State.DISPATCHED: gettext_lazy("已派单，待承办单位签收"),
    State.ACCEPTED: gettext_lazy("承办单位办理中"),
    State.RESOLVED: gettext_lazy("已办结，待回访"),
    State.CLOSED: gettext_lazy("已办结"),
}


def community_names(tickets: Iterable[Ticket]) -> dict[str, str]:
    """Each community path (or shorter) of the tickets → its regions' names, city first."""
    places = {ticket.region_path[:COMMUNITY_PATH] for ticket in tickets}
    wanted = {place[:length] for place in places for length in PATH_LENGTHS.values()}
    names = dict(
        Region.objects.filter(path__in=wanted, level__gte=Level.CITY).values_list("path", "name")
    )
    return {
        place: "".join(
            names[place[:length]]
            for length in sorted(PATH_LENGTHS.values())
            if length <= len(place) and place[:length] in names
        )
        for place in places
    }


def request(ticket: Ticket, places: dict[str, str]) -> dict[str, Any]:
    place = ticket.region_path[:COMMUNITY_PATH]
    category = ticket.category
    status = "open" if ticket.state in OPEN_STATES else "closed"
    return {
        "service_request_id": ticket.number,
        "status": status,
        "status_notes": str(STATUS_NOTES.get(State(ticket.state), "")),
        "service_name": category.name,
        "service_code": category.code,
        "description": ticket.description if ticket.channel == Channel.OPEN311 else category.name,
        "agency_responsible": ticket.unit.name if ticket.unit else None,
        "service_notice": notice(category),
        "requested_datetime": _moment(ticket.received_at),
        "updated_datetime": _moment(ticket.updated_at),
        "expected_datetime": _moment(ticket.due_at),
        "address": places.get(place, ""),
        "address_id": code_from_path(place),
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def requests(tickets: list[Ticket]) -> list[dict[str, Any]]:
    places = community_names(tickets)
    return [request(ticket, places) for ticket in tickets]
