"""The work a ticket started links back to the ticket: the supply request's page and the
appeal's page link to the ticket's page for whoever sees the ticket, and show only its number
to anyone else, so that a psychological-help ticket is never opened from them."""

import pytest
from django.urls import reverse

from fangyi.health import services as health
from fangyi.hotline import services
from fangyi.hotline.models import LinkKind, TicketLink
from fangyi.supplies import services as supplies
from fangyi.supplies.models import Request
from tests.hotline.support import fever_clinic_fact, take
from tests.support import signed_in

pytestmark = pytest.mark.django_db


def accepted(city, actor, member, code: str):
    ticket = take(
        actor,
        city.building_a,
        code,
        description="封控楼栋，需要帮助",
        caller=services.CallerInput(person=city.person_a),
        dispatch=True,
    )
    services.accept(actor=member, ticket=ticket)
    return ticket


def page(user, url: str) -> str:
    response = signed_in(user).get(url)
    assert response.status_code == 200, (user.username, url)
    return response.content.decode()


def ticket_link(ticket) -> str:
    return f'href="{reverse("hotline:ticket", args=[ticket.pk])}"'


def request_from(ticket, member, city, draft) -> Request:
    link = services.start_supply_request(
        actor=member, ticket=ticket, household=city.household_a, draft=draft
    )
    return Request.objects.get(pk=link.target_id)


def errand():
    return supplies.Draft(kind="errand", notes="帮忙代购米面各一袋")


def test_the_supply_requests_page_links_to_the_ticket_for_its_unit_not_for_the_grid(
    city, hotline, worker_a
):
    ticket = accepted(city, hotline.operator, hotline.street_officer, "food")
    request = request_from(ticket, hotline.street_officer, city, errand())
    url = reverse("supplies:detail", args=[request.pk])
    assert ticket_link(ticket) in page(hotline.street_officer, url)
    # The grid worker works the request but is no member of the ticket's unit.
    html = page(worker_a, url)
    assert ticket.number in html and ticket_link(ticket) not in html


def test_a_psychological_tickets_request_links_back_only_for_its_unit(city, hotline):
    ticket = accepted(city, hotline.operator, hotline.health_officer, "psychological")
    assert ticket.confidential
    request = request_from(ticket, hotline.health_officer, city, errand())
    url = reverse("supplies:detail", args=[request.pk])
    assert ticket_link(ticket) in page(hotline.health_officer, url)
    # The command centre and the city's administrator see the request, not the ticket.
    for user in (hotline.commander, hotline.city_admin):
        html = page(user, url)
        assert ticket.number in html and ticket_link(ticket) not in html, user.username


def test_a_request_typed_in_with_a_tickets_number_links_to_that_ticket(city, hotline, worker_a):
    ticket = accepted(city, hotline.operator, hotline.street_officer, "food")
    request = supplies.submit(
        actor=worker_a, household=city.household_a, draft=errand(), hotline_ticket=ticket.number
    )
    url = reverse("supplies:detail", args=[request.pk])
    assert not TicketLink.objects.filter(target_id=request.pk).exists()
    assert ticket_link(ticket) in page(hotline.street_officer, url)


def test_the_appeals_page_links_to_the_ticket_for_its_unit_not_for_the_deciding_officer(
    city, hotline, officer, worker_a
):
    ticket = accepted(city, hotline.operator, hotline.street_officer, "health_code")
    fact = fever_clinic_fact(worker_a, city.person_a)
    link = services.start_appeal(
        actor=hotline.street_officer,
        ticket=ticket,
        person=city.person_a,
        fact=fact,
        reason="当天在外地",
    )
    url = reverse("health:appeal-detail", args=[link.target_id])
    html = page(hotline.street_officer, url)
    assert 'id="hotline-ticket"' in html and ticket_link(ticket) in html
    # The officer who decides appeals is no member of the ticket's unit.
    html = page(officer, url)
    assert 'id="hotline-ticket"' in html and ticket_link(ticket) not in html


def test_an_appeal_not_started_from_a_ticket_names_none(city, hotline, officer, worker_a):
    fact = fever_clinic_fact(worker_a, city.person_a)
    appeal = health.file_appeal(actor=worker_a, person=city.person_a, fact=fact, reason="误录")
    html = page(officer, reverse("health:appeal-detail", args=[appeal.pk]))
    assert 'id="hotline-ticket"' not in html


def test_a_hospital_trip_started_from_a_ticket_is_linked_both_ways(city, hotline):
    ticket = accepted(city, hotline.operator, hotline.street_officer, "food")
    draft = supplies.Draft(kind="hospital_trip", person=city.person_a, notes="透析，去省立医院")
    request = request_from(ticket, hotline.street_officer, city, draft)
    assert (request.kind, request.hotline_ticket) == ("hospital_trip", ticket.number)
    link = TicketLink.objects.get(ticket=ticket)
    assert (link.kind, link.target_id) == (LinkKind.SUPPLY_REQUEST, request.pk)
    # From the ticket: its page lists the trip among the work it started.
    html = page(hotline.street_officer, reverse("hotline:ticket", args=[ticket.pk]))
    assert 'data-kind="supply_request"' in html and "就医出行" in html
    # From the trip: its page links back to the ticket.
    html = page(hotline.street_officer, reverse("supplies:detail", args=[request.pk]))
    assert "就医出行" in html and ticket_link(ticket) in html
