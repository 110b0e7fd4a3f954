import datetime

from django.urls import reverse

from tests.support import signed_in

from ..factories import PersonFactory


def names_on(response) -> str:
    return response.content.decode()


def test_list_masks_names_ids_and_phones(city, officer):
    html = names_on(signed_in(officer).get(reverse("people:person-list")))
    person = city.person_a
    assert "王*明" in html and "王小明" not in html
    assert person.masked_id_number in html and person.id_number not in html
    assert "138****0001" in html and "13800000001" not in html


def test_search_by_last_four_of_id(city, officer):
    html = names_on(
        signed_in(officer).get(reverse("people:person-list"), {"q": city.person_b.id_tail})
    )
    assert "李*英" in html and "王*明" not in html


def test_search_by_phone(city, officer):
    html = names_on(signed_in(officer).get(reverse("people:person-list"), {"q": "13800000001"}))
    assert "王*明" in html and "李*英" not in html


def test_search_by_name_prefix(city, officer):
    html = names_on(signed_in(officer).get(reverse("people:person-list"), {"q": "李"}))
    assert "李*英" in html and "王*明" not in html


def test_filter_by_tag_status_and_region(city, officer):
    PersonFactory(
        household=city.household_a,
        name="赵老伯",
        birth_date=datetime.date(1940, 1, 2),
        is_bedridden=True,
        residence_status="temporary",
    )
    client = signed_in(officer)
    elderly = names_on(client.get(reverse("people:person-list"), {"tag": "elderly"}))
    assert "赵*伯" in elderly and "王*明" not in elderly
    assert "卧床" in elderly and "老年人" in elderly
    bedridden = names_on(client.get(reverse("people:person-list"), {"tag": "bedridden"}))
    assert "赵*伯" in bedridden and "李*英" not in bedridden
    temporary = names_on(client.get(reverse("people:person-list"), {"status": "temporary"}))
    assert "赵*伯" in temporary and "王*明" not in temporary
    grid_b = names_on(client.get(reverse("people:person-list"), {"region": city.grid_b.code}))
    assert "李*英" in grid_b and "王*明" not in grid_b


def test_keyset_pages_carry_a_cursor(city, officer, settings):
    settings.FANGYI_PAGE_SIZE = 1
    client = signed_in(officer)
    first = client.get(reverse("people:person-list"))
    cursor = first.context["next_cursor"]
    assert cursor and f"cursor={cursor}" in first.content.decode()
    assert "王*明" in names_on(first)
    second = client.get(reverse("people:person-list"), {"cursor": cursor})
    assert "李*英" in names_on(second) and "王*明" not in names_on(second)
    assert second.context["next_cursor"] is None


def test_bad_input_never_fails(city, officer):
    client = signed_in(officer)
    for params in (
        {"cursor": "not-a-cursor"},
        {"cursor": "W10"},
        {"tag": "nonsense"},
        {"status": "x"},
        {"region": "'; drop table"},
        {"q": "%_\\"},
    ):
        assert client.get(reverse("people:person-list"), params).status_code == 200, params
    response = client.get(reverse("people:person-list"), {"cursor": "not-a-cursor"})
    assert "翻页链接无效" in response.content.decode()
    assert "王*明" in response.content.decode()


def test_empty_state(city, officer):
    html = names_on(signed_in(officer).get(reverse("people:person-list"), {"q": "欧阳"}))
    assert "没有找到居民" in html


def test_unknown_region_shows_nothing(city, worker_a):
    html = names_on(
        signed_in(worker_a).get(reverse("people:person-list"), {"region": city.grid_b.code})
    )
    assert "没有找到该区域" in html and "李*英" not in html and "王*明" not in html
