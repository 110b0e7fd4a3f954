"""Names no real person has: refused with one rule (people.validation.validate_name) by the
API, the pages and the ledger import."""

import datetime

import pytest

from fangyi.people.models import Person
from tests.support import send, signed_in

from ..factories import resident_id

HOSTILE_NAMES = [
    "\u3000\u3000\u3000",  # ideographic spaces only
    "  \t ",
    "王\u202e明",  # right-to-left override
    "王\u2066明\u2069",  # bidi isolate
    "王\u200b明",  # zero-width space
    "王\u200d明",  # zero-width joiner
    "王\u2060明",  # word joiner
    "\ufeff王明",  # BOM
    "王\x07明",  # a control character
    "<b>王明</b>",
    "王明>",
]


def create(client, city, name, **extra):
    return send(
        client,
        "post",
        "/api/v1/persons",
        {
            "household": str(city.household_a.pk),
            "name": name,
            "id_number": resident_id(datetime.date(1980, 1, 1)),
            **extra,
        },
    )


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_the_api_refuses_a_name_no_one_has(as_worker_a, city, name):
    response = create(as_worker_a, city, name)

    assert response.status_code == 422, response.content
    [error] = response.json()["detail"]
    assert error["field"] == "name"
    assert (
        not Person.objects.filter(household=city.household_a, id_tail__gt="")
        .exclude(pk=city.person_a.pk)
        .exists()
    )


@pytest.mark.parametrize(
    "name", ["王明", "买买提·艾力", "John Smith", "欧阳\u3000娜娜", "　李雷　"]
)
def test_real_names_pass_trimmed(as_worker_a, city, name):
    response = create(as_worker_a, city, name)

    assert response.status_code == 201, response.content
    assert Person.objects.get(pk=response.json()["id"]).name == name.strip()


def test_an_update_is_held_to_the_same_rule(as_worker_a, city):
    response = send(
        as_worker_a, "patch", f"/api/v1/persons/{city.person_a.pk}", {"name": "王\u202e明"}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "name"


def test_notes_are_limited(as_worker_a, city):
    response = create(as_worker_a, city, "王明", notes="记" * 1_000_000)

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "notes"


def test_the_edit_page_says_so(city, worker_a):
    browser = signed_in(worker_a)
    url = f"/people/{city.person_a.pk}/edit/"
    page = browser.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "tags"}
    before = city.person_a.name

    # (A blank name on this page means "unchanged": the page shows it masked.)
    for name in ("王\u202e明", "<b>王明</b>"):
        response = browser.post(url, {**data, "name": name})

        assert response.status_code == 200
        assert "name" in response.context["form"].errors, response.context["form"].errors
    city.person_a.refresh_from_db()
    assert city.person_a.name == before
