from django.urls import reverse
from django.utils import timezone

from fangyi.fieldwork.models import Task
from fangyi.investigations.models import Investigation
from tests.support import signed_in

from .support import hours_ago, make_case, opened


def test_opening_from_the_list_by_id_number(city, tracer):
    make_case(city.person_a, actor=tracer)
    browser = signed_in(tracer)
    page = browser.get(reverse("investigations:list"))
    assert page.status_code == 200
    assert "管控内" in page.content.decode() and "还没有流调" in page.content.decode()
    response = browser.post(reverse("investigations:list"), {"id_number": city.person_a.id_number})
    investigation = Investigation.objects.get(person=city.person_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("investigations:detail", args=[investigation.pk])
    listed = browser.get(reverse("investigations:list")).content.decode()
    assert city.person_a.masked_name in listed and city.person_a.name not in listed


def test_a_person_who_is_not_a_case_is_an_error_in_the_form(city, tracer):
    response = signed_in(tracer).post(
        reverse("investigations:list"), {"id_number": city.person_b.id_number}
    )
    assert response.status_code == 200
    assert "没有确诊或阳性记录" in response.content.decode()


def test_the_detail_page_records_contacts_clocks_and_notes(city, tracer):
    case = opened(city.person_a, actor=tracer, at=hours_ago(0.3))
    browser = signed_in(tracer)
    detail = reverse("investigations:detail", args=[case.pk])
    page = browser.get(detail).content.decode()
    assert 'data-clock="report"' in page and "还没有接触者" in page
    moment = timezone.localtime(hours_ago(5)).strftime("%Y-%m-%dT%H:%M")
    browser.post(
        reverse("investigations:contact-add", args=[case.pk]),
        {"category": "close", "exposure_at": moment, "id_number": city.person_b.id_number},
    )
    browser.post(
        reverse("investigations:contact-add", args=[case.pk]),
        {
            "category": "secondary",
            "exposure_at": moment,
            "name": "赵六",
            "address": "2号楼",
            "region": city.grid_b.code,
        },
    )
    assert case.contacts.filter(state="linked").count() == 1
    assert Task.objects.filter(kind="locate_contact").count() == 1
    browser.post(reverse("investigations:clock", args=[case.pk]), {"stage": "report"})
    browser.post(
        reverse("investigations:edit", args=[case.pk]), {"notes": "活动轨迹已核实", "state": "open"}
    )
    browser.post(
        reverse("investigations:team", args=[case.pk]),
        {"user": str(tracer.pk), "role": "police"},
    )
    case.refresh_from_db()
    assert case.report_confirmed_at and case.notes == "活动轨迹已核实"
    assert case.team.get().role == "police"
    page = browser.get(detail).content.decode()
    assert "赵*" in page and "赵六" not in page


def test_the_chain_pages(city, tracer):
    case = opened(city.person_a, actor=tracer)
    browser = signed_in(tracer)
    chains = browser.get(reverse("investigations:chain-list")).content.decode()
    assert reverse("investigations:chain", args=[case.pk]) in chains
    page = browser.get(reverse("investigations:chain", args=[case.pk]))
    assert page.status_code == 200
    assert 'id="chain-data"' in page.content.decode()
    odd = browser.get(
        reverse("investigations:chain", args=[case.pk]), {"since": "yesterday", "region": "\x00"}
    )
    assert odd.status_code == 200


def test_staff_without_the_right_are_refused(city, tracer, worker_a):
    case = opened(city.person_a, actor=tracer)
    browser = signed_in(worker_a)
    assert browser.get(reverse("investigations:list")).status_code == 403
    assert browser.get(reverse("investigations:detail", args=[case.pk])).status_code == 404


def test_the_pages_speak_english(city, tracer):
    case = opened(city.person_a, actor=tracer)
    browser = signed_in(tracer)
    browser.post(reverse("set_language"), {"language": "en", "next": "/"})
    listing = browser.get(reverse("investigations:list")).content.decode()
    assert "Under control" in listing and "In the community" in listing
    detail = browser.get(reverse("investigations:detail", args=[case.pk])).content.decode()
    assert "Report confirmed" in detail and "Record a contact" in detail
    chain = browser.get(reverse("investigations:chain", args=[case.pk])).content.decode()
    assert "New cases this week" in chain


def test_a_contact_who_turned_positive_is_investigated_from_the_cases_page(city, tracer):
    from .support import contact_of, make_case

    case = opened(city.person_a, actor=tracer)
    contact_of(case, city.person_b, actor=tracer)
    browser = signed_in(tracer)
    detail = reverse("investigations:detail", args=[case.pk])
    assert "已阳性，立案流调" not in browser.get(detail).content.decode()
    make_case(city.person_b, actor=tracer, at=hours_ago(1))
    assert "已阳性，立案流调" in browser.get(detail).content.decode()
    response = browser.post(reverse("investigations:list"), {"person": str(city.person_b.pk)})
    second = Investigation.objects.get(person=city.person_b)
    assert response["Location"] == reverse("investigations:detail", args=[second.pk])
    assert second.generation == 1 and second.chain_root_id == case.pk
    assert "已成病例" in browser.get(detail).content.decode()


def test_places_and_contacts_page_on_the_cases_page(city, tracer, settings):
    from fangyi.investigations import services

    from .support import contact_of, resident

    settings.FANGYI_PAGE_SIZE = 2
    case = opened(city.person_a, actor=tracer)
    for n in range(3):
        contact_of(case, resident(city.building_a), actor=tracer)
        services.add_place(
            actor=tracer,
            investigation=case,
            description=f"地点{n}",
            start=hours_ago(10 - n),
            end=hours_ago(9 - n),
        )
    browser = signed_in(tracer)
    detail = reverse("investigations:detail", args=[case.pk])
    first = browser.get(detail)
    assert first.content.decode().count('data-state="linked"') == 2
    assert "地点0" in first.content.decode() and "地点2" not in first.content.decode()
    more = browser.get(detail, {"cursor": first.context["next_cursor"]}).content.decode()
    assert more.count('data-state="linked"') == 1
    places = browser.get(detail, {"places": first.context["next_places"]}).content.decode()
    assert "地点2" in places
    assert browser.get(detail, {"places": "garbage"}).status_code == 200
