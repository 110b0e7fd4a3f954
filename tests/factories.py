"""Synthetic fixtures. Every name, number and phone here is made up."""

import datetime
import itertools

import factory

from fangyi.accounts.models import RoleAssignment, User
from fangyi.people.models import Household, Person
from fangyi.people.validation import make_resident_id
from fangyi.regions.models import Level, Region

_sequence = itertools.count(1)


def resident_id(birth_date=datetime.date(1980, 5, 17), male=True, district="350102") -> str:
    n = next(_sequence) * 2 % 1000
    return make_resident_id(district, birth_date, n + 1 if male else n)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def staff(role: str, region: Region, **kwargs) -> User:
    user = UserFactory(**kwargs)
    RoleAssignment.objects.create(user=user, role=role, region=region, region_path=region.path)
    return user


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    room = factory.Sequence(lambda n: f"{100 + n}")
    unit = "1"
    region_path = factory.LazyAttribute(lambda o: o.building.path)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Iterator(["王小明", "李华", "张伟", "刘芳", "陈静"])
    gender = "M"
    birth_date = datetime.date(1980, 5, 17)
    id_type = "resident_id"
    id_number = factory.LazyAttribute(lambda o: resident_id(o.birth_date, o.gender == "M"))
    id_tail = factory.LazyAttribute(lambda o: o.id_number[-4:])
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    region_path = factory.LazyAttribute(lambda o: o.household.region_path)


def region(code: str, name: str, level: Level, parent: Region | None = None) -> Region:
    r = Region(code=code, name=name, level=level, parent=parent)
    r.save()
    return r
