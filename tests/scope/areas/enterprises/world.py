"""Enterprises in each side of the scope world, all in the side's grid: one registered (its
account's, with a confirmed employee of room 1701 and a pending link to the side's resident),
one whose application waits, and one registered by itself, unconfirmed. The side's
enterprise account is a member of the three."""

from fangyi.core import permissions as p
from fangyi.enterprises import services
from fangyi.enterprises.area import ACCOUNT
from fangyi.enterprises.models import Employment, Membership
from tests.enterprises.support import credit_code
from tests.factories import HouseholdFactory, PersonFactory

ROLES = {ACCOUNT: "grid"}


def _enterprise(admin, side, serial: int, name: str):
    return services.register_enterprise(
        actor=admin,
        region=side.grid,
        name=f"{side.city.name}{name}",
        credit_code=credit_code(serial),
        contact_name="陈经理",
        contact_phone="13905910001",
    )


def objects(side, users) -> None:
    admin, account = users[p.ADMIN], users[ACCOUNT]
    base = int(side.city.code[:4]) * 10
    side.enterprise = _enterprise(admin, side, base + 1, "机械厂")
    side.applied = _enterprise(admin, side, base + 2, "食品厂")
    side.application = services.apply_to_reopen(
        actor=admin,
        enterprise=side.applied,
        commitments=[c.code for c in services.active_commitments()],
        staff_count=30,
    )
    side.unconfirmed = services.self_register(
        region=side.grid,
        name=f"{side.city.name}纺织厂",
        credit_code=credit_code(base + 3),
        contact_name="林厂长",
        contact_phone="13905910002",
    )
    for enterprise in (side.enterprise, side.applied, side.unconfirmed):
        Membership.objects.create(user=account, enterprise=enterprise)
    worker = PersonFactory(household=HouseholdFactory(building=side.building, room="1701"))
    side.employment = services.link_employee(
        actor=account, enterprise=side.enterprise, id_number=worker.id_number, name=worker.name
    )
    services.answer_link(person=worker, employment_id=side.employment.pk, accept=True)
    side.link = services.link_employee(
        actor=account,
        enterprise=side.enterprise,
        id_number=side.person.id_number,
        name=side.person.name,
    )
    side.employment = Employment.objects.get(pk=side.employment.pk)
