"""One demo login per role, each over the region where that role makes sense to try."""

import dataclasses

from django.db import transaction

from fangyi.accounts.models import User
from fangyi.accounts.services import create_staff
from fangyi.core import permissions
from fangyi.core.paths import under
from fangyi.hotline.area import OPERATOR
from fangyi.investigations.area import INVESTIGATOR
from fangyi.isolation.area import DRIVER, SITE_STAFF
from fangyi.markets.area import REPORTER
from fangyi.regions.models import Level, Region

from .city import CITY

DEMO_PASSWORD = "fangyi-demo-2026"
# Role → the level of the (first) region it is held over.
DEMO_ROLES = [
    (permissions.ADMIN, Level.CITY),
    (permissions.COMMANDER, Level.CITY),
    (permissions.OFFICER, Level.STREET),
    (permissions.GRID_LEADER, Level.GRID),
    (permissions.GRID_WORKER, Level.GRID),
    (permissions.VOLUNTEER, Level.GRID),
    (permissions.SAMPLER, Level.GRID),
    (permissions.CHECKPOINT, Level.COMMUNITY),
    (permissions.LAB, Level.CITY),
    # Investigation teams work across a district, as its disease-control centre does.
    (INVESTIGATOR, Level.DISTRICT),
    # Transfer drivers serve the street's communities, as its vehicles do.
    (DRIVER, Level.STREET),
    # The demo's quarantine sites are the street's: their staff check people in and take
    # temperatures there.
    (SITE_STAFF, Level.STREET),
    # The price reporter works the demo's first community's two monitoring points, in its
    # first grid.
    (REPORTER, Level.GRID),
    (OPERATOR, Level.CITY),
]


@dataclasses.dataclass
class DemoLogin:
    username: str
    role: str
    region_code: str
    region_name: str
    created: bool


def _first_region(level: Level) -> Region:
    city = Region.objects.get(code=CITY[0])
    if level == Level.CITY:
        return city
    return Region.objects.filter(under("path", city.path), level=level).earliest("path")


def create_demo_staff() -> list[DemoLogin]:
    """Creates the missing demo logins; the username of each is its role."""
    logins = []
    for role, level in DEMO_ROLES:
        region = _first_region(level)
        created = not User.objects.filter(username=role).exists()
        if created:
            with transaction.atomic():
                user = create_staff(
                    actor=None,
                    username=role,
                    password=DEMO_PASSWORD,
                    role=role,
                    region=region,
                    check_password=False,
                )
                if role == permissions.ADMIN:
                    user.is_superuser = user.is_staff = True
                    user.save(update_fields=["is_superuser", "is_staff"])
        logins.append(DemoLogin(role, role, region.code, region.name, created))
    return logins
