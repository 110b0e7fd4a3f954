"""The ticket's page links to the work it started (a supply request, a field task, an appeal)
for whoever may see that work on its own page, and names it as text for anyone else."""

import pytest
from django.urls import reverse

from fangyi.core.permissions import VIEW
from fangyi.fieldwork.models import Task
from fangyi.health.models import Appeal
from fangyi.hotline import services
from fangyi.supplies import services as supplies
from fangyi.supplies.models import Request
from tests.hotline.support import fever_clinic_fact, take
from tests.support import signed_in

pytestmark = pytest.mark.django_db


def started(city, hotline, worker_a):
    ticket = take(
        hotline.operator,
        city.building_a,
        "health_code",
        description="封控楼栋，需要帮助",
        caller=services.CallerInput(person=city.person_a),
        dispatch=True,
    )
    member = hotline.street_officer
    services.accept(actor=member, ticket=ticket)
    request = services.start_supply_request(
        actor=member,
        ticket=ticket,
        household=city.household_a,
        draft=supplies.Draft(kind="errand", notes="帮忙代购米面各一袋"),
    )
    task = services.start_field_task(
        actor=member, ticket=ticket, kind="follow_up_visit", person=city.person_a
    )
    fact = fever_clinic_fact(worker_a, city.person_a)
    appeal = services.start_appeal(
        actor=member, ticket=ticket, person=city.person_a, fact=fact, reason="当天在外地"
    )
    return (
        ticket,
        {
            Request: reverse("supplies:detail", args=[request.target_id]),
            Task: reverse("fieldwork:detail", args=[task.target_id]),
            Appeal: reverse("health:appeal-detail", args=[appeal.target_id]),
        },
        {Request: request.target_id, Task: task.target_id, Appeal: appeal.target_id},
    )


def test_the_ticket_links_to_what_it_started_where_the_viewer_may_open_it(city, hotline, worker_a):
    ticket, pages, targets = started(city, hotline, worker_a)
    shown: dict[tuple[str, type], bool] = {}
    for user in (hotline.street_officer, hotline.operator, hotline.commander):
        response = signed_in(user).get(reverse("hotline:ticket", args=[ticket.pk]))
        assert response.status_code == 200, user.username
        html = response.content.decode()
        for model, url in pages.items():
            may = model.objects.restrict(user, VIEW).filter(pk=targets[model]).exists()
            assert (f'href="{url}"' in html) == may, (user.username, model.__name__)
            shown[user.username, model] = may
            if may:
                assert signed_in(user).get(url).status_code == 200, (user.username, url)
    # The unit that started the work opens all of it; the operator who took the call sees the
    # ticket but none of the other areas' work, and reads it as text.
    assert all(shown[hotline.street_officer.username, model] for model in pages)
    assert not any(shown[hotline.operator.username, model] for model in pages)
