import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.people import services
from fangyi.people.models import Person
from fangyi.people.validation import make_resident_id, validate_mobile, validate_resident_id

from ..factories import resident_id


def test_resident_id_checksum_is_checked():
    good = make_resident_id("350102", datetime.date(1990, 1, 1), 11)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert validate_resident_id(good.lower()) == good.upper()
    with pytest.raises(ValidationError, match="校验位"):
        validate_resident_id(bad)


def test_resident_id_region_must_exist():
    number = make_resident_id("999999", datetime.date(1990, 1, 1), 11)
    with pytest.raises(ValidationError, match="地区代码"):
        validate_resident_id(number)


def test_resident_id_birth_date_must_be_real():
    body = "35010219900231011"
    from stdnum.cn import ric

    with pytest.raises(ValidationError, match="出生日期"):
        validate_resident_id(body + ric.calc_check_digit(body + "0"))


@pytest.mark.parametrize("phone", ["13800138000", "+86 138-0013-8000", "19912345678"])
def test_valid_mobiles(phone):
    assert validate_mobile(phone).isdigit()


@pytest.mark.parametrize("phone", ["1380013800", "12800138000", "15400138000", "abc"])
def test_invalid_mobiles(phone):
    with pytest.raises(ValidationError):
        validate_mobile(phone)


def test_create_derives_gender_and_birth_date(city, officer):
    number = make_resident_id("350102", datetime.date(1950, 3, 4), 22)
    person = services.create_person(
        actor=officer, household=city.household_a, name="赵丽", id_number=number
    )
    assert person.gender == "F"
    assert person.birth_date == datetime.date(1950, 3, 4)
    assert "elderly" in person.tags


def test_every_error_is_reported_at_once(city, officer):
    number = make_resident_id("350102", datetime.date(1990, 1, 1), 11)
    with pytest.raises(ValidationError) as excinfo:
        services.create_person(
            actor=officer,
            household=city.household_a,
            name="",
            id_number=number,
            gender="F",
            birth_date=datetime.date(1991, 1, 1),
            phone="123",
        )
    errors = excinfo.value.message_dict
    assert {"name", "gender", "birth_date", "phone"} <= set(errors)
    assert not Person.objects.filter(id_number=number).exists()


def test_one_person_per_id_number(city, officer):
    with pytest.raises(ValidationError) as excinfo:
        services.create_person(
            actor=officer,
            household=city.household_a,
            name="重复",
            id_number=city.person_b.id_number,
        )
    assert "id_number" in excinfo.value.message_dict


def test_worker_cannot_create_in_another_grid(city, worker_a):
    with pytest.raises(PermissionDenied):
        services.create_person(
            actor=worker_a, household=city.household_b, name="越界", id_number=resident_id()
        )


def test_passport_holders_skip_resident_id_checks(city, officer):
    person = services.create_person(
        actor=officer,
        household=city.household_a,
        name="Anna Weber",
        id_type="passport",
        id_number="C01X00T47",
        gender="F",
        birth_date=datetime.date(1988, 8, 8),
    )
    assert person.id_tail == "0T47"


def test_elderly_born_before_their_district_existed_are_valid():
    # 鼓楼区 got code 350102 in 1983; its older residents still hold 350102… numbers.
    assert validate_resident_id(make_resident_id("350102", datetime.date(1940, 2, 2), 13))
