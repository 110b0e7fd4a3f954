"""The briefings listed, made on demand and downloaded, on the pages and through the API, by
those in scope."""

import datetime

from fangyi.command import services as command
from fangyi.command.briefings import services
from fangyi.command.briefings.models import Briefing
from tests.factories import staff
from tests.support import post, signed_in

from .support import counted_day, docx_text, pdf_text, yesterday

API = "/api/v1/command/briefings"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_the_page_lists_makes_and_downloads(city, superuser, commander):
    day = counted_day(city, superuser)
    client = signed_in(commander)
    empty = client.get("/command/briefings/")
    assert "还没有简报。" in empty.content.decode()
    # A date input takes only an ISO date: another format would post an empty day.
    assert f'value="{yesterday().isoformat()}"' in empty.content.decode()
    made = client.post(
        "/command/briefings/generate/", {"region": city.district.code, "day": day.isoformat()}
    )
    assert made.status_code == 302
    briefing = Briefing.objects.get()
    listed = client.get("/command/briefings/").content.decode()
    assert "鼓楼区" in listed and f"briefing-{briefing.pk}" in listed
    pdf = client.get(f"/command/briefings/{briefing.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert "鼓楼区疫情防控每日简报" in pdf_text(pdf.content)
    word = client.get(f"/command/briefings/{briefing.pk}/docx/")
    assert word["Content-Type"] == DOCX
    assert "鼓楼区疫情防控每日简报" in docx_text(word.content)


def test_the_page_refuses_a_day_to_come(city, commander):
    tomorrow = command.today() + datetime.timedelta(days=1)
    response = signed_in(commander).post(
        "/command/briefings/generate/", {"region": city.city.code, "day": tomorrow.isoformat()}
    )
    assert response.status_code == 400
    assert "日期不能晚于今天。" in response.content.decode()
    assert not Briefing.objects.exists()


def test_the_api_lists_makes_shows_and_downloads(city, commander):
    client = signed_in(commander)
    made = post(client, API, {"region": city.city.code})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["day"] == yesterday().isoformat()
    assert body["region"] == city.city.code
    listed = client.get(API).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert client.get(API, {"region": city.district.code}).json()["items"] == []
    pdf = client.get(body["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    word = client.get(body["docx_url"])
    assert word["Content-Type"] == DOCX
    assert client.get(f"{API}/{body['id']}/download", {"format": "odt"}).status_code == 422


def test_the_api_refuses_what_it_cannot_make(city, commander):
    client = signed_in(commander)
    street = post(client, API, {"region": city.street.code})
    assert street.status_code == 422
    assert "region" in street.content.decode()
    later = post(
        client,
        API,
        {
            "region": city.city.code,
            "day": (command.today() + datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert later.status_code == 422
    assert client.get(API, {"region": "\x00"}).status_code == 422
    assert not Briefing.objects.exists()


def test_a_street_officer_sees_no_district_briefing(city, commander, officer):
    briefing = services.generate(actor=commander, region=city.district, day=yesterday())
    client = signed_in(officer)
    assert client.get(API).json()["items"] == []
    assert client.get(f"{API}/{briefing.pk}").status_code == 404
    assert client.get(f"/command/briefings/{briefing.pk}/pdf/").status_code == 404
    assert post(client, API, {"region": city.district.code}).status_code in (403, 422)


def test_a_district_commander_sees_only_their_district(city, commander):
    services.generate(actor=commander, region=city.city, day=yesterday())
    district = services.generate(actor=commander, region=city.district, day=yesterday())
    chief = staff("commander", city.district, username="district_commander")
    listed = signed_in(chief).get(API).json()["items"]
    assert [item["id"] for item in listed] == [str(district.pk)]
