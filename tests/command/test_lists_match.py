"""Each figure's link opens a list showing exactly as many rows as the figure counts."""

import datetime
import re

from django.utils import timezone

from fangyi.command import services
from fangyi.health.models import TestOutcome as Outcome
from fangyi.hotline.models import Callback, CallbackState, Satisfaction, Ticket
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.models import Sample
from fangyi.screening.sampling import batches
from fangyi.supplies.models import Confirmation, Request, RequestState
from tests.factories import staff
from tests.hotline.support import hotline_of, take
from tests.supplies.support import package_request, vegetables
from tests.support import signed_in

from .support import counted_day


def rows_on(client, url: str, marker: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return len(re.findall(marker, response.content.decode()))


def test_residents_of_a_colour_and_orders_to_place(city, superuser, commander):
    counted_day(city, superuser)
    board = services.board(user=commander, region=city.community)
    client = signed_in(commander)
    red = board.by_key()["residents.red"]
    assert red.value == 3
    assert rows_on(client, red.url, r'href="/people/[0-9a-f-]{36}/"') == 3
    to_place = board.by_key()["orders.to_place"]
    assert to_place.value == 1
    assert rows_on(client, to_place.url, r'href="/isolation/orders/[0-9a-f-]{36}/"') == 1


def test_cases_found_in_the_community_and_under_control(city, superuser, commander):
    day = counted_day(city, superuser)
    board = services.board(user=commander, region=city.community, day=day.day)
    assert board.by_key()["cases.community"].value is None
    url = board.by_key()["cases.community"].url
    client = signed_in(commander)
    page = client.get(url).content.decode()
    listed = re.findall(r'href="/people/([0-9a-f-]{36})/"', page.split('id="found-cases"')[1])
    assert sorted(listed) == sorted(str(person.pk) for person in day.community_cases)
    controlled = board.by_key()["cases.controlled"].url
    page = client.get(controlled).content.decode()
    listed = re.findall(r'href="/people/([0-9a-f-]{36})/"', page.split('id="found-cases"')[1])
    assert listed == [str(day.controlled_case.pk)]


def test_orders_of_a_kind_running(city, superuser, commander):
    counted_day(city, superuser)
    board = services.board(user=commander, region=city.community)
    home = board.by_key()["orders.home"]
    assert home.value == 1
    assert rows_on(signed_in(commander), home.url, r'href="/isolation/orders/[0-9a-f-]{36}/"') == 1
    centralised = board.by_key()["orders.centralised"]
    assert centralised.value == 0
    assert (
        rows_on(signed_in(commander), centralised.url, r'href="/isolation/orders/[0-9a-f-]{36}/"')
        == 0
    )


def test_hotline_tickets_open_and_overdue_and_the_days_callbacks(city, superuser, commander):
    hotline_of(city)
    waiting = take(superuser, city.building_a)  # not dispatched yet
    dispatched = take(superuser, city.building_b, dispatch=True)
    late = take(superuser, city.building_a, dispatch=True)
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    take(superuser, city.street)  # above the community: not counted there
    now = timezone.now()
    for ticket, result in ((waiting, Satisfaction.SATISFIED), (dispatched, "not_satisfied")):
        Callback.objects.create(
            ticket=ticket,
            about=ticket,
            region_path=ticket.region_path,
            state=CallbackState.DONE,
            result=result,
            done_at=now,
        )
    board = services.board(user=commander, region=city.community).by_key()
    client = signed_in(commander)
    ticket_row = r'id="ticket-[0-9a-f-]{36}"'
    assert board["hotline.open"].value == 3
    assert rows_on(client, board["hotline.open"].url, ticket_row) == 3
    assert board["hotline.overdue"].value == 1
    assert rows_on(client, board["hotline.overdue"].url, ticket_row) == 1
    assert board["hotline.satisfaction"].value == 50
    callbacks = client.get(board["hotline.satisfaction"].url).content.decode()
    assert len(re.findall(r'id="callback-[0-9a-f-]{36}"', callbacks)) == 2
    assert callbacks.count('data-result="satisfied"') == 1


def test_supply_requests_open_late_and_delivered(city, superuser, commander):
    item = vegetables(superuser, city.community)
    open_ = package_request(superuser, city.household_a, item)
    late = package_request(superuser, city.household_b, item)
    done = package_request(superuser, city.household_a, item)
    Request.objects.filter(pk=late.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    Request.objects.filter(pk=done.pk).update(
        state=RequestState.DELIVERED, delivered_at=timezone.now(), confirmation=Confirmation.DOOR
    )
    board = services.board(user=commander, region=city.community).by_key()
    client = signed_in(commander)
    request_row = r'href="/supplies/[0-9a-f-]{36}/"'
    assert board["supplies.open"].value == 2
    assert rows_on(client, board["supplies.open"].url, request_row) == 2
    assert board["supplies.late"].value == 1
    assert rows_on(client, board["supplies.late"].url, request_row) == 1
    assert board["supplies.delivered"].value == 1
    delivered = client.get(board["supplies.delivered"].url).content.decode()
    assert f'href="/supplies/{done.pk}/"' in delivered and str(open_.pk) not in delivered
    grid_b = services.board(user=commander, region=city.grid_b).by_key()
    assert (
        grid_b["supplies.open"].value
        == rows_on(client, grid_b["supplies.open"].url, request_row)
        == 1
    )


def test_the_days_samples_and_positives(city, superuser, commander, officer):
    sampler = staff("sampler", city.community, username="sampler")
    campaign = campaign_services.create_campaign(
        actor=officer, name="三坊社区全员核酸", regions=[city.community], default_pool_size=10
    )
    now = timezone.now()
    campaign_services.add_round(
        actor=officer,
        campaign=campaign,
        starts_at=now - datetime.timedelta(hours=1),
        deadline=now + datetime.timedelta(hours=23),
    )
    site = campaign_services.create_site(
        actor=officer,
        campaign=campaign,
        region=city.grid_a,
        name="一网格采样点",
        capacity_per_hour=300,
        opening_hours="07:00-22:00",
        samplers=[sampler],
    )
    batches.record_samples(
        actor=sampler,
        items=[
            batches.SampleInput(tube=barcode, persons=[person.pk], site=site, sampled_at=now)
            for barcode, person in (("T-0001", city.person_a), ("T-0002", city.person_b))
        ],
    )
    Sample.objects.filter(tube__barcode="T-0002").update(result=Outcome.POSITIVE)
    board = services.board(user=commander, region=city.community).by_key()
    client = signed_in(commander)
    sample_row = r'data-sample="[0-9a-f-]{36}"'
    assert board["screening.sampled"].value == 2
    assert rows_on(client, board["screening.sampled"].url, sample_row) == 2
    assert board["screening.positive"].value == 1
    positives = client.get(board["screening.positive"].url).content.decode()
    assert len(re.findall(sample_row, positives)) == 1 and city.person_b.masked_name in positives
    grid_b = services.board(user=commander, region=city.grid_b).by_key()
    assert (
        grid_b["screening.sampled"].value
        == rows_on(client, grid_b["screening.sampled"].url, sample_row)
        == 1
    )
