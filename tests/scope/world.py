"""One small city for the scope suite, built once per test module.

Every staff role holds one assignment in the home city (福州, 350100); "elsewhere" (厦门,
350200) holds one object of every kind that no one of them may reach. Objects a case needs
only sometimes (a user's own ledger job) are made by the case inside the test's transaction.
"""

import datetime
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fangyi.accounts.services import issue_token
from fangyi.checkpoints import services as checkpoints
from fangyi.core import permissions as p
from fangyi.fieldwork import services as fieldwork
from fangyi.health import services as health
from fangyi.health.models import Policy, RecomputeRun
from fangyi.ledgers import services as ledgers
from fangyi.portal import services as portal
from fangyi.regions.models import Level
from fangyi.regions.services import refresh_counts
from fangyi.screening.campaigns import services as screening
from fangyi.screening.sampling import services as sampling
from tests.factories import HouseholdFactory, PersonFactory, region, resident_id, staff

from . import areas

AREA_WORLDS = areas.worlds()
# The newer areas' roles: role -> the attribute of a side whose region they are assigned to.
AREA_ROLES = {
    role: where for world in AREA_WORLDS for role, where in getattr(world, "ROLES", {}).items()
}

STAFF_ROLES = [
    p.ADMIN,
    p.COMMANDER,
    p.OFFICER,
    p.GRID_LEADER,
    p.GRID_WORKER,
    p.VOLUNTEER,
    p.CHECKPOINT,
    p.SAMPLER,
    p.LAB,
    *AREA_ROLES,
]
ANONYMOUS = "anonymous"
RESIDENT = "resident"
ROLES = [*STAFF_ROLES, ANONYMOUS, RESIDENT]


def _hours(n: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=n)


def _side(province, prefix: str, names: tuple[str, str, str, str, str, str]) -> SimpleNamespace:
    """A city down to a grid with one building: a household of a resident and their child,
    and one of an elder living alone."""
    city_name, district_name, street_name, community_name, grid_name, building_name = names
    city = region(f"{prefix}00", city_name, Level.CITY, province)
    district = region(f"{prefix}02", district_name, Level.DISTRICT, city)
    street = region(f"{prefix}02001", street_name, Level.STREET, district)
    community = region(f"{prefix}02001001", community_name, Level.COMMUNITY, street)
    grid = region(f"{prefix}02001001001", grid_name, Level.GRID, community)
    building = region(f"{prefix}02001001001001", building_name, Level.BUILDING, grid)
    household = HouseholdFactory(building=building, room="101")
    person = PersonFactory(household=household, phone=f"13{prefix}00001")
    relative = PersonFactory(
        household=household, id_number=resident_id(datetime.date(2015, 1, 1)), name="王小宝"
    )
    # Elderly and alone: a round's home-sampling tasks are for such residents when missing.
    elder = PersonFactory(
        household=HouseholdFactory(building=building, room="102"),
        birth_date=datetime.date(1940, 3, 1),
        lives_alone=True,
    )
    return SimpleNamespace(
        elder=elder,
        city=city,
        district=district,
        street=street,
        community=community,
        grid=grid,
        building=building,
        household=household,
        person=person,
        relative=relative,
    )


def _region_of(role: str, side: SimpleNamespace):
    if role in AREA_ROLES:
        return getattr(side, AREA_ROLES[role])
    if role in (p.ADMIN, p.COMMANDER, p.LAB):
        return side.city
    if role == p.OFFICER:
        return side.street
    if role == p.SAMPLER:
        return side.community
    return side.grid


def _objects(side: SimpleNamespace, users: dict) -> None:
    """The objects of every kind in one side of the world, made through the services."""
    admin, sampler = users[p.ADMIN], users[p.SAMPLER]
    # Whoever draws a zone may not decide the appeals against it, whoever proposes a decision
    # may not approve it: a second officer of the street does both.
    drawer = staff(p.OFFICER, side.street, username=f"drawer_{side.city.code}")
    side.fact = health.record_fact(
        actor=admin,
        source="manual",
        person=side.person,
        kind="close_contact",
        occurred_at=_hours(-2),
    )
    side.zone = health.draw_zone(
        actor=drawer, kind="high", regions=[side.building], reason="新增阳性病例"
    )
    side.appeal = health.file_appeal(
        actor=admin, person=side.person, zone=side.zone, reason="已搬离"
    )
    side.decision = health.propose_decision(
        actor=drawer,
        person=side.person,
        colour="yellow",
        reason="流调核实中，暂按密接的密接管理。",
        expires_at=_hours(48),
    )
    side.venue = checkpoints.create_venue(
        actor=admin,
        name=f"{side.grid.name}超市",
        kind="supermarket",
        region=side.grid,
        address="1号",
    )
    side.task = fieldwork.create_task(
        actor=admin, kind="home_sampling", person=side.person, due_at=_hours(4)
    )
    fieldwork.assign(actor=admin, task=side.task, assignee=users[p.GRID_WORKER])
    side.second_worker = staff(p.GRID_WORKER, side.grid, username=f"second_worker_{side.city.code}")
    side.failed_task = fieldwork.create_task(
        actor=admin,
        kind="delivery",
        household=side.household,
        due_at=_hours(2),
        assignee=users[p.GRID_WORKER],
    )
    fieldwork.fail(actor=users[p.GRID_WORKER], task=side.failed_task, reason="家中无人")
    side.task.refresh_from_db()
    side.campaign = screening.create_campaign(
        actor=admin, name="全员核酸", regions=[side.community]
    )
    side.round = screening.add_round(
        actor=admin, campaign=side.campaign, starts_at=_hours(-1), deadline=_hours(23)
    )
    side.second_sampler = staff(
        p.SAMPLER, side.community, username=f"second_sampler_{side.city.code}"
    )
    side.site = screening.create_site(
        actor=admin,
        campaign=side.campaign,
        region=side.grid,
        name="采样点",
        capacity_per_hour=100,
        samplers=[sampler],
    )
    side.tube = sampling.open_tube(
        actor=sampler, barcode=f"T{side.city.code}", site=side.site, round=side.round, pool_size=10
    )
    side.guardianship = portal.request_guardianship(
        holder=side.person,
        id_number=side.relative.id_number,
        name=side.relative.name,
        relation="child",
    )


def build() -> SimpleNamespace:
    province = region("350000", "福建省", Level.PROVINCE)
    home = _side(
        province, "3501", ("福州市", "鼓楼区", "东街街道", "三坊社区", "第一网格", "1号楼")
    )
    away = _side(province, "3502", ("厦门市", "思明区", "中华街道", "中山社区", "甲网格", "甲楼"))
    refresh_counts()
    users = {role: staff(role, _region_of(role, home), username=role) for role in STAFF_ROLES}
    away_users = {
        role: staff(role, _region_of(role, away), username=f"away_{role}") for role in STAFF_ROLES
    }
    _objects(home, users)
    _objects(away, away_users)
    for area_world in AREA_WORLDS:
        if hasattr(area_world, "objects"):
            area_world.objects(home, users)
            area_world.objects(away, away_users)
    return SimpleNamespace(
        other_policy=Policy.objects.filter(in_force=False).first(),
        # A plan switch's recompute whose worker died too often: city-wide, like the plans.
        failed_recompute=RecomputeRun.objects.create(
            scope="all", state=RecomputeRun.State.FAILED, attempts=3, message="worker died"
        ),
        home=home,
        away=away,
        users=users,
        away_users=away_users,
        tokens={role: issue_token(actor=None, user=user) for role, user in users.items()},
        resident_token=portal.issue_token(person=home.person)[0],
    )


def upload(name: str = "residents.csv") -> SimpleUploadedFile:
    # One row with a bad ID number: the job has an error workbook.
    rows = "姓名,证件号码,手机号,楼栋代码,单元,房号\n王某,350102X,13800000009,350102001001001001,1,101\n"
    return SimpleUploadedFile(name, rows.encode("utf-8"), content_type="text/csv")


def import_job(user):
    return ledgers.start_import(actor=user, ledger="residents", upload=upload())


def export_job(user, where):
    return ledgers.start_export(actor=user, ledger="residents", region=where, inline=True)
