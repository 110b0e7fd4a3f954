"""Demo enterprises back at work: five enterprises of the demo street officer's first
community, registered through the services as that officer: two reopened, one applying,
one whose application was returned, and one that registered itself and waits to be
confirmed. The first has the demo enterprise login (`enterprise`) and eight employees
linked among the street's residents (six green, two not), six of whom have confirmed on
the portal. Made once.
"""

import dataclasses

from django.db import transaction
from stdnum.cn import uscc

from fangyi.accounts.models import User
from fangyi.core import permissions
from fangyi.core.paths import under
from fangyi.enterprises import services
from fangyi.enterprises.area import ACCOUNT
from fangyi.enterprises.models import Enterprise
from fangyi.health.models import Colour, Status
from fangyi.people.models import IdType, Person
from fangyi.regions.models import Level, Region

from .residents import demo_resident
from .staff import DEMO_PASSWORD, _first_region

# (name, what happens to it)
ENTERPRISES = [
    ("榕城精密机械有限公司", "reopened"),
    ("闽江食品加工厂", "reopened"),
    ("三坊电子科技有限公司", "applied"),
    ("鼓楼服装厂", "returned"),
    ("东街印务有限公司", "self"),
]
EMPLOYEES = 8
CONFIRMED = 6
NOT_GREEN = 2


@dataclasses.dataclass
class EnterpriseSeed:
    enterprises: int
    reopened: int
    employees: int
    login: str


def _credit_code(serial: int) -> str:
    body = f"91350102MA{serial:07d}"
    return body + uscc.calc_check_digit(body)


def _summary(created: bool) -> EnterpriseSeed:
    return EnterpriseSeed(
        enterprises=Enterprise.objects.count(),
        reopened=Enterprise.objects.filter(standing="reopened").count(),
        employees=sum(e.employments.count() for e in Enterprise.objects.all()),
        login=ACCOUNT if created or User.objects.filter(username=ACCOUNT).exists() else "",
    )


def seed_enterprises() -> EnterpriseSeed:
    """Needs the demo city and the demo staff."""
    if Enterprise.objects.exists():
        return _summary(created=False)
    officer = User.objects.get(username=permissions.OFFICER)
    street = _first_region(Level.STREET)
    community = Region.objects.filter(under("path", street.path), level=Level.COMMUNITY).earliest(
        "path"
    )
    commitments = [c.code for c in services.active_commitments()]
    spared = demo_resident()
    with transaction.atomic():
        made = []
        for serial, (name, fate) in enumerate(ENTERPRISES, start=1):
            details = {
                "name": name,
                "credit_code": _credit_code(serial),
                "contact_name": "陈经理",
                "contact_phone": f"1390591{serial:04d}",
                "address": f"{community.name}工业路 {serial} 号",
            }
            if fate == "self":
                services.self_register(region=community, **details)
                continue
            enterprise = services.register_enterprise(actor=officer, region=community, **details)
            made.append(enterprise)
            if fate in ("reopened", "applied", "returned"):
                application = services.apply_to_reopen(
                    actor=officer,
                    enterprise=enterprise,
                    commitments=commitments,
                    staff_count=20 + serial * 15,
                )
                if fate == "reopened":
                    services.approve(actor=officer, application=application)
                elif fate == "returned":
                    services.return_application(
                        actor=officer, application=application, reason="未设置临时留观室"
                    )
        first = made[0]
        account = services.open_account(
            actor=officer,
            enterprise=first,
            username=ACCOUNT,
            password=DEMO_PASSWORD,
            full_name="陈经理",
        )
        # Mostly green employees, as a reopened workshop's would be, and a few who are not.
        street_people = Person.objects.filter(
            under("region_path", street.path), id_type=IdType.RESIDENT_ID
        )
        if spared is not None:
            street_people = street_people.exclude(pk=spared.pk)
        green = Status.objects.filter(colour=Colour.GREEN).values("person_id")
        greens = list(street_people.filter(pk__in=green).order_by("id")[: EMPLOYEES - NOT_GREEN])
        others = list(street_people.exclude(pk__in=green).order_by("id")[:NOT_GREEN])
        # The first CONFIRMED confirm: five green and one not; one of each waits.
        people = [*greens[:5], *others[:1], *greens[5:], *others[1:]]
        for n, person in enumerate(people):
            link = services.link_employee(
                actor=account, enterprise=first, id_number=person.id_number, name=person.name
            )
            if n < CONFIRMED:
                services.answer_link(person=person, employment_id=link.pk, accept=True)
    return _summary(created=True)
