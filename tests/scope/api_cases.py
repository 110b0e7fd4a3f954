"""The declared case of every API route, keyed "METHOD /api/v1/path" as ninja spells it.

Each lambda takes (world, side, user): `side` is world.home (in the caller's scope) or
world.away (outside every caller's scope), `user` is the caller (None for a resident).
"""

import datetime
import uuid

from django.utils import timezone

from fangyi.checkpoints.area import CHECKIN, SCAN, VENUE
from fangyi.checkpoints.models import Scan
from fangyi.codes.area import CODE
from fangyi.core import permissions as p
from fangyi.core.permissions import can
from fangyi.fieldwork.area import TASK
from fangyi.fieldwork.models import Task
from fangyi.health.area import APPEAL, DECISION, FACT, POLICY, ZONE
from fangyi.health.models import Fact
from fangyi.ledgers.models import ExportJob, ImportJob
from fangyi.ledgers.registry import LEDGERS
from fangyi.ledgers.services import may_import
from fangyi.people.area import HOUSEHOLD, PERSON
from fangyi.portal.models import Guardianship
from fangyi.regions.area import REGION
from fangyi.screening.area import CAMPAIGN, LAB_TUBE, SAMPLE
from fangyi.screening.models import Sample, Tube
from tests.factories import resident_id

from . import areas
from .cases import Case
from .world import export_job, import_job, upload


def at(hours: float) -> str:
    return (timezone.now() + datetime.timedelta(hours=hours)).isoformat()


def person(w, side, user):
    return {"person_id": str(side.person.pk)}


def household(w, side, user):
    return {"household_id": str(side.household.pk)}


def task(w, side, user):
    return {"task_id": str(side.task.pk)}


def campaign(w, side, user):
    return {"campaign_id": str(side.campaign.pk)}


def round_(w, side, user):
    return {"round_id": str(side.round.pk)}


def tube(w, side, user):
    return {"barcode": side.tube.barcode}


def venue(w, side, user):
    return {"venue_id": str(side.venue.pk)}


def job_owner(w, side, user, may) -> object:
    """A ledger job is seen by its owner alone: the caller's own job where they may make one,
    else the job of the admin of that side."""
    if side is w.home and user is not None and may(user):
        return user
    return (w.users if side is w.home else w.away_users)[p.ADMIN]


def own_import(w, side, user):
    owner = job_owner(w, side, user, lambda u: may_import(u, LEDGERS["residents"]))
    return {"job_id": str(import_job(owner).pk)}


def own_export(w, side, user):
    owner = job_owner(w, side, user, lambda u: can(u, PERSON, p.EXPORT, side.grid.path))
    return {"job_id": str(export_job(owner, side.grid).pk)}


def own_failed_import(w, side, user):
    """The user's own import, broken off in a way that running it again may mend."""
    job = own_import(w, side, user)
    ImportJob.objects.filter(pk=job["job_id"]).update(status="failed", retryable=True)
    return job


def own_failed_export(w, side, user):
    job = own_export(w, side, user)
    ExportJob.objects.filter(pk=job["job_id"]).update(status="failed", retryable=True)
    return job


def mine(w, side, user):
    """A resident's query for themselves (home) or for a stranger (away)."""
    return {"person": str(side.person.pk)}


FACTS = lambda: Fact.objects.count()  # noqa: E731 - facts are their own audit trail
GUARDIANSHIPS = lambda: Guardianship.objects.count()  # noqa: E731
SAMPLES = lambda: Sample.objects.count()  # noqa: E731
IMPORT_JOBS = lambda: ImportJob.objects.count()  # noqa: E731
TASKS = lambda: Task.objects.count()  # noqa: E731
SCANS = lambda: Scan.objects.count()  # noqa: E731
RECEIVED_TUBES = lambda: Tube.objects.exclude(received_at=None).count()  # noqa: E731

# Roles that may do what the lab does with tubes, sampling and field work, beyond the matrix.
SAMPLERS = {p.SAMPLER}
LEADS = {p.ADMIN, p.COMMANDER, p.OFFICER, p.GRID_LEADER}
IMPORTERS = {
    role for role in p.role_codes() if p.MATRIX[role].get(PERSON, set()) & {p.ADD, p.CHANGE}
}
# A list answers a role without the right with nothing in it, as if there were nothing to see.
EMPTY = (200,)
# A write that names an object the caller cannot see hears that the field names nothing.
HIDDEN_FIELD = (403, 422)

HUGE = "9" * 100_000
UNKNOWN = "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"
PAGING = [
    ({"cursor": "\x00"}, "cursor"),
    ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
    ({"limit": 10**30}, "limit"),
]
STATES = [({"state": "\x00"}, "state"), ({"state": "everything"}, "state")]


def with_site(body: dict):
    """Hostile input that names the sampler's real site: the check is about the rest."""
    return lambda w, side, user: body | {"site": str(side.site.pk)}


def with_household(body: dict):
    return lambda w, side, user: body | {"household": str(side.household.pk)}


SAMPLE_ITEM = {
    "tube": "B0001",
    "persons": ["6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f60"],
    "site": UNKNOWN,
    "sampled_at": "2022-04-01T08:00:00+08:00",
}

API = {
    # The residents' side: resident tokens only; the stranger of `away` is no one they look after.
    "POST /api/v1/me/otp": Case(
        audience="public",
        body=lambda w, side, user: {"phone": str(side.person.phone)},
        bad_bodies=[
            {"phone": 13800000001},
            {"phone": HUGE},
            {"phone": "1380000\x000001"},
            {"phone": ["13800000001"]},
            {"phone": "1380000000１"},
        ],
    ),
    "POST /api/v1/me/login": Case(
        audience="public",
        body=lambda w, side, user: {"phone": str(side.person.phone), "code": "000000"},
        ok=(401, 422),
        bad_bodies=[
            {"phone": "13800000001", "code": 123456},
            {"phone": "13800000001", "code": "12345\x00"},
            {"phone": "13800000001", "code": "abcdef"},
            {"phone": "13800000001", "code": "123456", "id_tail": "12\x0034"},
            {"phone": "13800000001", "code": "123456", "id_tail": "ABCD"},
            {"phone": "13800000001", "code": HUGE},
        ],
    ),
    "POST /api/v1/me/logout": Case(audience="resident", writes=True, records=None),
    "GET /api/v1/me/code": Case(
        audience="resident",
        query=mine,
        outside=(404,),
        bad_queries=[{"person": "nope"}, {"person": "\x00"}, {"person": str(uuid.UUID(int=0))}],
    ),
    "GET /api/v1/me/status": Case(
        audience="resident",
        query=mine,
        outside=(404,),
        bad_queries=[{"person": "9" * 5000}],
    ),
    "GET /api/v1/me/facts": Case(
        audience="resident",
        query=mine,
        outside=(404,),
        bad_queries=[{"cursor": "garbage"}, {"limit": "-1"}, {"person": "\x00"}],
    ),
    "POST /api/v1/me/declarations/health": Case(
        audience="resident",
        body=lambda w, side, user: (
            {"temperature": 37.9, "symptoms": ["cough"]}
            | ({"person": str(side.person.pk)} if side is w.away else {})
        ),
        writes=True,
        records=FACTS,
        outside=(404,),
        bad_bodies=[
            {"temperature": "hot"},
            {"temperature": 1e308},
            {"temperature": True, "symptoms": "cough"},
            {"symptoms": ["cough\x00"]},
            {"symptoms": ["plague"]},
            {"symptoms": ["cough"] * 1000},
            {"person": "not-a-uuid"},
        ],
    ),
    "POST /api/v1/me/declarations/trip": Case(
        audience="resident",
        body=lambda w, side, user: (
            {"from_area": "上海", "arrived_at": at(-3), "risk_area": True}
            | ({"person": str(side.person.pk)} if side is w.away else {})
        ),
        writes=True,
        records=FACTS,
        outside=(404,),
        bad_bodies=[
            {"from_area": HUGE, "arrived_at": "2022-04-01T08:00"},
            {"from_area": "x\x00", "arrived_at": "2022-04-01T08:00", "risk_area": True},
            {"from_area": "x", "arrived_at": "yesterday"},
            {"from_area": "x", "arrived_at": "0001-01-01T00:00:00+14:00", "risk_area": True},
            {"from_area": "   ", "arrived_at": "2022-04-01T08:00", "risk_area": False},
        ],
    ),
    "GET /api/v1/me/appeals": Case(
        audience="resident", query=mine, outside=(404,), bad_queries=[{"person": "x"}]
    ),
    "POST /api/v1/me/appeals": Case(
        audience="resident",
        body=lambda w, side, user: {"fact": str(side.fact.pk), "reason": "当天我不在现场。"},
        writes=True,
        outside=(404, 422),
        bad_bodies=[
            {"fact": "nope", "reason": "x"},
            {"fact": "00000000-0000-0000-0000-000000000000", "reason": "x"},
            {"reason": "x"},
            {"zone": "00000000-0000-0000-0000-000000000000", "reason": HUGE},
        ],
    ),
    "GET /api/v1/me/dependants": Case(audience="resident"),
    "POST /api/v1/me/dependants": Case(
        audience="resident",
        body=lambda w, side, user: {
            "id_number": resident_id(),
            "name": "王小宝",
            "relation": "child",
        },
        writes=True,
        records=GUARDIANSHIPS,
        outside=(),
        bad_bodies=[
            {"id_number": "x", "name": "y", "relation": "boss"},
            {"id_number": "\x00" * 10, "name": "y", "relation": "child"},
            {"id_number": HUGE, "name": "y", "relation": "child"},
            {"id_number": "350102199001011234", "name": "", "relation": "child"},
        ],
    ),
    "POST /api/v1/me/dependants/{item_id}/end": Case(
        audience="resident",
        path=lambda w, side, user: {"item_id": str(side.guardianship.pk)},
        writes=True,
    ),
    # Regions, people and the audit log.
    "GET /api/v1/regions": Case(
        refused=EMPTY,
        need=(REGION, p.VIEW),
        listed=lambda side: side.grid.code,
        bad_queries=[({"parent": "\x00"}, "parent"), {"level": "planet"}],
    ),
    "GET /api/v1/regions/{code}": Case(
        need=(REGION, p.VIEW),
        path=lambda w, side, user: {"code": side.grid.code},
        refused=(404,),
        bad_ids=["35%00", "%E7%BD%91%E6%A0%BC"],
    ),
    "GET /api/v1/persons": Case(
        refused=EMPTY,
        need=(PERSON, p.VIEW),
        query=lambda w, side, user: {"q": side.person.phone},
        outside=(200,),
        listed=lambda side: str(side.person.pk),
        bad_queries=[({"q": "王\x00"}, "q"), ({"region": "\x00"}, "region")],
    ),
    "POST /api/v1/persons": Case(
        refused=HIDDEN_FIELD,
        need=(PERSON, p.ADD),
        body=lambda w, side, user: {
            "household": str(side.household.pk),
            "name": "赵新来",
            "id_number": resident_id(),
            "phone": "13700000001",
        },
        writes=True,
        outside=(422,),
    ),
    "GET /api/v1/persons/{person_id}": Case(need=(PERSON, p.VIEW), path=person, refused=(404,)),
    "PATCH /api/v1/persons/{person_id}": Case(
        need=(PERSON, p.CHANGE),
        path=person,
        body=lambda w, side, user: {"phone": "13600000009"},
        writes=True,
        refused=(403, 404),
        # A person is not moved into a household the caller cannot see.
        bad_bodies=[(lambda w, side, user: {"household": str(w.away.household.pk)}, "household")],
    ),
    "POST /api/v1/persons/{person_id}/reveal": Case(
        need=(PERSON, p.REVEAL),
        path=person,
        body=lambda w, side, user: {"reason": "核对信息"},
        writes=True,
        refused=(403, 404),
    ),
    "GET /api/v1/households": Case(
        refused=EMPTY, need=(HOUSEHOLD, p.VIEW), listed=lambda side: str(side.household.pk)
    ),
    "POST /api/v1/households": Case(
        refused=HIDDEN_FIELD,
        need=(HOUSEHOLD, p.ADD),
        body=lambda w, side, user: {"building": side.building.code, "room": "909"},
        writes=True,
        outside=(422,),
        bad_bodies=[["room", "101"]],
        bad_fields=[({"room": "1\x00"}, "room")],
    ),
    "GET /api/v1/households/{household_id}": Case(
        need=(HOUSEHOLD, p.VIEW), path=household, refused=(404,)
    ),
    "PATCH /api/v1/households/{household_id}": Case(
        need=(HOUSEHOLD, p.CHANGE),
        path=household,
        body=lambda w, side, user: {"room": "203"},
        writes=True,
        refused=(403, 404),
    ),
    "POST /api/v1/households/{household_id}/reveal": Case(
        need=(HOUSEHOLD, p.REVEAL),
        path=household,
        body=lambda w, side, user: {"reason": "核对信息"},
        writes=True,
        refused=(403, 404),
    ),
    "GET /api/v1/audit/changes": Case(
        refused=EMPTY,
        need=(p.AUDIT, p.VIEW),
        # The changes of one object: the world's areas write more than a page of them.
        query=lambda w, side, user: {"object_id": str(side.task.pk)},
        outside=EMPTY,
        listed=lambda side: str(side.task.pk),
        bad_queries=[({"actor": "\x00"}, "actor"), ({"since": "0001-01-01T00:00:00"}, "since")],
    ),
    "GET /api/v1/audit/access": Case(
        refused=EMPTY,
        need=(p.AUDIT, p.VIEW),
        bad_queries=[({"since": "0001-01-01T00:00:00"}, "since")],
    ),
    # Ledgers: a user's own jobs only.
    "GET /api/v1/ledgers": Case(allowed=set(p.role_codes())),
    "GET /api/v1/ledgers/imports/{job_id}": Case(
        allowed=IMPORTERS, path=own_import, refused=(404,)
    ),
    "POST /api/v1/ledgers/imports/{job_id}/commit": Case(
        allowed=IMPORTERS, path=own_import, refused=(404,), writes=True
    ),
    "POST /api/v1/ledgers/imports/{job_id}/retry": Case(
        allowed=IMPORTERS, path=own_failed_import, refused=(404,), writes=True
    ),
    "POST /api/v1/ledgers/exports/{job_id}/retry": Case(
        need=(PERSON, p.EXPORT), path=own_failed_export, refused=(404,), writes=True
    ),
    "GET /api/v1/ledgers/imports/{job_id}/errors": Case(
        allowed=IMPORTERS, path=own_import, refused=(404,)
    ),
    "GET /api/v1/ledgers/exports/{job_id}": Case(
        need=(PERSON, p.EXPORT), path=own_export, refused=(404,)
    ),
    "GET /api/v1/ledgers/exports/{job_id}/file": Case(
        need=(PERSON, p.EXPORT), path=own_export, refused=(404,)
    ),
    "POST /api/v1/ledgers/{ledger}/imports": Case(
        allowed=IMPORTERS,
        path=lambda w, side, user: {"ledger": "residents"},
        files=lambda w, side, user: {"file": upload(), "dry_run": "true"},
        writes=True,
        records=IMPORT_JOBS,
        outside=(),
    ),
    "POST /api/v1/ledgers/{ledger}/exports": Case(
        need=(PERSON, p.EXPORT),
        path=lambda w, side, user: {"ledger": "residents"},
        body=lambda w, side, user: {"region": side.grid.code},
        writes=True,
        refused=(403, 404),
        outside=(404, 422),
    ),
    "GET /api/v1/ledgers/{ledger}/template": Case(
        allowed=set(p.role_codes()), path=lambda w, side, user: {"ledger": "residents"}, outside=()
    ),
    # Health.
    "GET /api/v1/persons/{person_id}/facts": Case(
        need=(FACT, p.VIEW), path=person, refused=(404,), bad_queries=PAGING
    ),
    "GET /api/v1/persons/{person_id}/status": Case(
        need=(PERSON, p.VIEW), path=person, refused=(404,)
    ),
    "POST /api/v1/health/facts": Case(
        refused=HIDDEN_FIELD,
        need=(FACT, p.ADD),
        body=lambda w, side, user: {
            "person": str(side.person.pk),
            "kind": "close_contact",
            "occurred_at": at(-1),
        },
        writes=True,
        records=FACTS,
        outside=(422,),
        bad_bodies=[
            "hello",
            5,
            [None],
            [[]],
            True,
            # In a batch, the person the caller cannot see is named by its index.
            (
                lambda w, side, user: [
                    {"person": str(someone.pk), "kind": "close_contact", "occurred_at": at(-1)}
                    for someone in (w.home.person, w.away.person)
                ],
                "1.person",
            ),
            # A retraction may not name a fact the caller cannot see.
            (
                lambda w, side, user: {
                    "person": str(w.home.person.pk),
                    "kind": "retraction",
                    "occurred_at": at(-1),
                    "retracts": str(w.away.fact.pk),
                },
                "retracts",
            ),
        ],
        bad_fields=[
            ({"person": 5}, "person"),
            ({"person": "not-a-uuid"}, "person"),
            ({"kind": "sneeze"}, "kind"),
            ({"kind": 5}, "kind"),
            ({"occurred_at": "yesterday"}, "occurred_at"),
            ({"occurred_at": []}, "occurred_at"),
            ({"occurred_at": "0001-01-01T00:00:00"}, "occurred_at"),
            ({"occurred_at": "0001-01-01T00:00:00+08:00"}, "occurred_at"),
            ({"occurred_at": "9999-12-31T23:59:59"}, "occurred_at"),
            ({"occurred_at": "2019-06-01T08:00:00"}, "occurred_at"),
            ({"outcome": True}, "outcome"),
            ({"details": "发热"}, "details"),
            ({"details": {"note": "a\x00b"}}, "details"),
            ({"details": {"a\x00": 1}}, "details"),
            ({"details": {"deep": [[{"x": float("nan")}]]}}, "details"),
            ({"source_ref": "TUBE\x00"}, "source_ref"),
            ({"source_ref": "x" * 101}, "source_ref"),
            ({"colour": "red"}, "colour"),
            ({"retracts": "not-a-uuid"}, "retracts"),
        ],
    ),
    "POST /api/v1/health/facts/{fact_id}/retract": Case(
        need=(FACT, p.ADD),
        path=lambda w, side, user: {"fact_id": str(side.fact.pk)},
        body=lambda w, side, user: {"reason": "误录"},
        writes=True,
        records=FACTS,
        refused=(403, 404),
    ),
    "GET /api/v1/health/policies": Case(refused=EMPTY, need=(POLICY, p.VIEW)),
    "POST /api/v1/health/policies/{policy_id}/activate": Case(
        need=(POLICY, p.CHANGE),
        path=lambda w, side, user: {"policy_id": str(w.other_policy.pk)},
        writes=True,
        refused=(403, 404),
        outside=(),
    ),
    "GET /api/v1/health/appeals": Case(
        refused=EMPTY,
        need=(APPEAL, p.VIEW),
        listed=lambda side: str(side.appeal.pk),
        bad_queries=PAGING + STATES,
    ),
    "POST /api/v1/health/appeals": Case(
        refused=HIDDEN_FIELD,
        need=(APPEAL, p.ADD),
        body=lambda w, side, user: {
            "person": str(side.person.pk),
            "fact": str(side.fact.pk),
            "reason": "当天不在场",
        },
        writes=True,
        outside=(422,),
        bad_bodies=[
            # An appeal may not name a fact the caller cannot see.
            (
                lambda w, side, user: {
                    "person": str(w.home.person.pk),
                    "fact": str(w.away.fact.pk),
                    "reason": "不认可",
                },
                "fact",
            ),
        ],
        bad_fields=[({"person": None}, "person"), ({"person": "x"}, "person")],
    ),
    "POST /api/v1/health/appeals/{appeal_id}/decide": Case(
        need=(APPEAL, p.CHANGE),
        path=lambda w, side, user: {"appeal_id": str(side.appeal.pk)},
        body=lambda w, side, user: {"accept": False, "note": "核实属实，维持"},
        writes=True,
        refused=(403, 404),
        bad_bodies=[({"accept": True}, "note")],
        bad_fields=[
            ({"accept": "maybe"}, "accept"),
            ({"accept": []}, "accept"),
            ({"note": "  "}, "note"),
        ],
    ),
    "GET /api/v1/health/decisions": Case(
        refused=EMPTY,
        need=(DECISION, p.VIEW),
        listed=lambda side: str(side.decision.pk),
        bad_queries=PAGING + STATES,
    ),
    "POST /api/v1/health/decisions": Case(
        refused=HIDDEN_FIELD,
        need=(DECISION, p.ADD),
        body=lambda w, side, user: {
            "person": str(side.person.pk),
            "colour": "yellow",
            "reason": "流调核实中，暂按密接的密接管理。",
            "expires_at": at(24),
        },
        writes=True,
        outside=(422,),
        bad_fields=[
            ({"colour": "purple"}, "colour"),
            ({"expires_at": "0001-01-01T00:00:00"}, "expires_at"),
            ({"expires_at": "9999-12-31T23:59:59"}, "expires_at"),
            ({"reason": "理由\x00很长很长很长很长"}, "reason"),
        ],
    ),
    "POST /api/v1/health/decisions/{decision_id}/approve": Case(
        need=(DECISION, p.CHANGE),
        path=lambda w, side, user: {"decision_id": str(side.decision.pk)},
        body=lambda w, side, user: {"approve": True, "note": "同意"},
        writes=True,
        refused=(403, 404),
    ),
    "POST /api/v1/health/decisions/{decision_id}/revoke": Case(
        need=(DECISION, p.CHANGE),
        path=lambda w, side, user: {"decision_id": str(side.decision.pk)},
        body=lambda w, side, user: {"note": "已核实"},
        writes=True,
        refused=(403, 404),
    ),
    "GET /api/v1/zones": Case(
        refused=EMPTY,
        need=(ZONE, p.VIEW),
        listed=lambda side: str(side.zone.pk),
        bad_queries=PAGING + STATES,
    ),
    "POST /api/v1/zones": Case(
        refused=HIDDEN_FIELD,
        need=(ZONE, p.ADD),
        body=lambda w, side, user: {
            "kind": "medium",
            "regions": [side.building.code],
            "reason": "新增阳性病例",
        },
        writes=True,
        outside=(422,),
        bad_fields=[
            ({"kind": "sealed"}, "kind"),
            ({"kind": "high\x00"}, "kind"),
            ({"regions": []}, "regions"),
            ({"regions": "350102"}, "regions"),
            ({"regions": ["\x00"]}, "regions.0"),
            ({"regions": ["999999"]}, "regions"),
            ({"regions": ["1"] * 1001}, "regions"),
            ({"reason": "x" * 2001}, "reason"),
            ({"starts_at": "0001-01-01T00:00:00"}, "starts_at"),
            ({"starts_at": "9999-12-31T23:59:59+08:00"}, "starts_at"),
            ({"name": 5}, "name"),
            ({"radius": 500}, "radius"),
        ],
    ),
    "GET /api/v1/zones/{zone_id}": Case(
        need=(ZONE, p.VIEW),
        path=lambda w, side, user: {"zone_id": str(side.zone.pk)},
        refused=(404,),
    ),
    "POST /api/v1/zones/{zone_id}/lift": Case(
        need=(ZONE, p.CHANGE),
        path=lambda w, side, user: {"zone_id": str(side.zone.pk)},
        body=lambda w, side, user: {"reason": "连续14天无新增"},
        writes=True,
        refused=(403, 404),
    ),
    # Codes.
    "GET /api/v1/codes/keys": Case(audience="public"),
    "GET /api/v1/codes/revoked": Case(audience="public"),
    "POST /api/v1/codes/lookup": Case(
        need=(CODE, p.VIEW),
        body=lambda w, side, user: {"text": "FY1:NOTACODE"},
        outside=(),
    ),
    "POST /api/v1/persons/{person_id}/card": Case(
        need=(CODE, p.ADD), path=person, writes=True, refused=(403, 404)
    ),
    "POST /api/v1/persons/{person_id}/codes/revoke": Case(
        need=(CODE, p.CHANGE),
        path=person,
        body=lambda w, side, user: {"reason": "证件遗失"},
        writes=True,
        refused=(403, 404),
    ),
    # Checkpoints.
    "GET /api/v1/checkpoints/venues": Case(
        refused=EMPTY,
        need=(VENUE, p.VIEW),
        listed=lambda side: str(side.venue.pk),
        bad_queries=[
            {"kind": "casino"},
            {"region": "\x00"},
            {"region": "9" * 50},
            {"cursor": "garbage"},
            {"cursor": "W10"},
            {"limit": "-1"},
        ],
    ),
    "POST /api/v1/checkpoints/venues": Case(
        refused=HIDDEN_FIELD,
        need=(VENUE, p.ADD),
        body=lambda w, side, user: {"name": "药店", "kind": "other", "region": side.grid.code},
        writes=True,
        outside=(422,),
    ),
    "GET /api/v1/checkpoints/venues/{venue_id}": Case(
        need=(VENUE, p.VIEW), path=venue, refused=(404,)
    ),
    "PATCH /api/v1/checkpoints/venues/{venue_id}": Case(
        need=(VENUE, p.CHANGE),
        path=venue,
        body=lambda w, side, user: {"address": "2号"},
        writes=True,
        refused=(403, 404),
    ),
    "GET /api/v1/checkpoints/venues/{venue_id}/place-code": Case(
        need=(VENUE, p.VIEW), path=venue, refused=(404,)
    ),
    "POST /api/v1/checkpoints/scans": Case(
        need=(SCAN, p.ADD),
        body=lambda w, side, user: {
            "scans": [
                {
                    "client_id": str(uuid.uuid4()),
                    "scanned_at": at(-0.1),
                    "result": "valid",
                    "kind": "display",
                    "colour": "green",
                    "venue": str(side.venue.pk),
                }
            ]
        },
        writes=True,
        records=SCANS,
        outside=(200, 422),
        bad_bodies=[
            {"scans": None},
            {"scans": "many"},
            {"scans": [None]},
            {"scans": [[1, 2]]},
            {"scans": [{"client_id": None}]},
            {"scans": [{}] * 3},
        ],
    ),
    "GET /api/v1/checkpoints/scans": Case(refused=EMPTY, need=(SCAN, p.VIEW)),
    "GET /api/v1/checkpoints/colocated": Case(
        need=(CHECKIN, p.VIEW),
        query=lambda w, side, user: {"person": str(side.person.pk)},
        refused=(403, 404),
        outside=(404,),
    ),
    # Field work.
    "GET /api/v1/tasks": Case(
        need=(TASK, p.VIEW),
        allowed=LEADS | {p.GRID_WORKER},
        refused=EMPTY,
        listed=lambda side: str(side.task.pk),
        bad_queries=[
            {"status": "lost"},
            {"kind": "casino"},
            {"region": "\x00"},
            {"region": "9" * 50},
            {"region": "999"},
            {"assignee": "you"},
            {"overdue": "perhaps"},
            {"cursor": "garbage"},
            {"cursor": "W10"},
            {"limit": "0"},
            {"limit": "100000"},
        ],
    ),
    "POST /api/v1/tasks": Case(
        refused=HIDDEN_FIELD,
        need=(TASK, p.ADD),
        body=lambda w, side, user: {
            "kind": "delivery",
            "household": str(side.household.pk),
            "due_at": at(5),
        },
        writes=True,
        outside=(422,),
        bad_bodies=[
            {"kind": "home_sampling"},
            {"kind": "home_sampling", "due_at": "2030-01-01T09:00"},
            {"kind": "home_sampling", "person": "not-a-uuid", "due_at": "2030-01-01T09:00"},
            {},
            with_household({"kind": "nap", "due_at": "2030-01-01T09:00"}),
            with_household({"kind": "delivery", "due_at": "yesterday"}),
            with_household({"kind": "delivery", "due_at": "0001-01-01T00:00:00+08:00"}),
            with_household({"kind": "delivery", "due_at": "2030-01-01T09:00", "title": "\x00"}),
            with_household({"kind": "delivery", "due_at": "2030-01-01T09:00", "title": "x" * 500}),
            with_household({"kind": "delivery", "due_at": "2030-01-01T09:00", "status": "done"}),
            lambda w, side, user: {
                "kind": "delivery",
                "household": str(side.household.pk),
                "due_at": "2030-01-01T09:00",
                "assignee": str(side.household.pk),
            },
        ],
    ),
    "GET /api/v1/tasks/{task_id}": Case(
        need=(TASK, p.VIEW), allowed=LEADS | {p.GRID_WORKER}, path=task, refused=(404,)
    ),
    "POST /api/v1/tasks/{task_id}/assign": Case(
        need=(TASK, p.ADD),
        path=task,
        body=lambda w, side, user: {"assignee": str(w.home.second_worker.pk)},
        writes=True,
        refused=(403, 404),
        bad_bodies=[{}, {"assignee": "me"}, {"assignee": None}],
    ),
    "POST /api/v1/tasks/{task_id}/start": Case(
        allowed=LEADS | {p.GRID_WORKER}, path=task, writes=True, refused=(403, 404)
    ),
    "POST /api/v1/tasks/{task_id}/complete": Case(
        allowed=LEADS | {p.GRID_WORKER},
        path=task,
        body=lambda w, side, user: {"note": "已采样"},
        writes=True,
        refused=(403, 404),
        bad_bodies=[
            {"note": "\x00"},
            {"result": "done"},
            {"result": {"x": "\x00"}},
            {"note": "x" * 3000},
            {"extra": 1},
        ],
    ),
    "POST /api/v1/tasks/{task_id}/fail": Case(
        allowed=LEADS | {p.GRID_WORKER},
        path=task,
        body=lambda w, side, user: {"reason": "家中无人"},
        writes=True,
        refused=(403, 404),
        bad_bodies=[{}, {"reason": "   "}, {"reason": None}],
    ),
    "POST /api/v1/tasks/{task_id}/reopen": Case(
        allowed=LEADS,
        path=lambda w, side, user: {"task_id": str(side.failed_task.pk)},
        body=lambda w, side, user: {"reason": "重新安排"},
        writes=True,
        refused=(403, 404),
        bad_bodies=[{"reason": 5}],
    ),
    # Screening.
    "GET /api/v1/screening/campaigns": Case(
        refused=EMPTY, need=(CAMPAIGN, p.VIEW), listed=lambda side: str(side.campaign.pk)
    ),
    "POST /api/v1/screening/campaigns": Case(
        refused=HIDDEN_FIELD,
        need=(CAMPAIGN, p.ADD),
        body=lambda w, side, user: {"name": "二轮筛查", "regions": [side.grid.code]},
        writes=True,
        outside=(422,),
        bad_bodies=[
            {"name": "x", "regions": []},
            {"name": "x" * 101, "regions": ["350102001001"]},
            {"name": "x", "regions": ["\x00"]},
            {"name": "x", "regions": ["999999"]},
            {"name": "x", "regions": ["350102001001"], "default_pool_size": 7},
            {"name": "x", "regions": ["350102001001"], "pool_sizes": [0]},
            {"name": "x", "regions": ["350102001001"], "pool_sizes": [10, 1000]},
            {"name": "x", "regions": ["350102001001"], "pool_sizes": ["ten"]},
            {"name": "x", "regions": ["350102001001"], "pool_sizes": []},
            {"name": " ", "regions": ["350102001001"]},
            {"regions": ["350102001001"]},
        ],
    ),
    "GET /api/v1/screening/campaigns/{campaign_id}": Case(
        need=(CAMPAIGN, p.VIEW), path=campaign, refused=(404,)
    ),
    "POST /api/v1/screening/campaigns/{campaign_id}/rounds": Case(
        need=(CAMPAIGN, p.CHANGE),
        path=campaign,
        body=lambda w, side, user: {"starts_at": at(30), "deadline": at(50)},
        writes=True,
        refused=(403, 404),
        bad_bodies=[
            {},
            {"starts_at": "2022-04-01T08:00:00+08:00"},
            {"starts_at": "x", "deadline": "y"},
            {"starts_at": "2022-04-01T08:00:00+08:00", "deadline": "9999-01-01T00:00:00"},
        ],
    ),
    "GET /api/v1/screening/campaigns/{campaign_id}/sites": Case(
        need=(CAMPAIGN, p.VIEW), path=campaign, refused=(404,)
    ),
    "POST /api/v1/screening/campaigns/{campaign_id}/sites": Case(
        need=(CAMPAIGN, p.CHANGE),
        path=campaign,
        body=lambda w, side, user: {
            "region": side.grid.code,
            "name": "二号点",
            "capacity_per_hour": 50,
        },
        writes=True,
        refused=(403, 404),
        bad_bodies=[
            {},
            {"region": "350102001001001", "name": "点", "capacity_per_hour": 0},
            {"region": "350102001001001", "name": "点", "capacity_per_hour": "many"},
            {"region": "350102001001001", "name": "", "capacity_per_hour": 10},
            {"region": "\x00", "name": "点", "capacity_per_hour": 10},
            {
                "region": "350102001001001",
                "name": "点",
                "capacity_per_hour": 10,
                "samplers": [None],
            },
        ],
    ),
    "POST /api/v1/screening/samples": Case(
        allowed=SAMPLERS,
        refused=HIDDEN_FIELD,
        body=lambda w, side, user: {
            "samples": [
                {
                    "tube": f"S{side.city.code}",
                    "persons": [str(side.person.pk)],
                    "site": str(side.site.pk),
                    "sampled_at": at(-0.2),
                    "pool_size": 1,
                }
            ]
        },
        writes=True,
        records=SAMPLES,
        outside=(403, 422),
        bad_bodies=[
            {"samples": None},
            {"samples": []},
            {"samples": "many"},
            {"samples": [None]},
            {"samples": [{}]},
            {"samples": [SAMPLE_ITEM | {"persons": []}]},
            {"samples": [SAMPLE_ITEM | {"persons": ["not-a-uuid"]}]},
            {"samples": [SAMPLE_ITEM | {"persons": SAMPLE_ITEM["persons"] * 51}]},
            {"samples": [SAMPLE_ITEM | {"tube": "\x00"}]},
            {"samples": [SAMPLE_ITEM | {"tube": "x" * 100}]},
            {"samples": [SAMPLE_ITEM | {"sampled_at": "0001-01-01T00:00:00+08:00"}]},
            {"samples": [SAMPLE_ITEM | {"sampled_at": "yesterday"}]},
            {"samples": [SAMPLE_ITEM | {"pool_size": 0}]},
            {"samples": [SAMPLE_ITEM | {"extra": 1}]},
            {"samples": [SAMPLE_ITEM] * 10_001},
        ],
    ),
    "GET /api/v1/screening/tubes/{barcode}": Case(
        need=(SAMPLE, p.VIEW),
        path=tube,
        refused=(403, 404),
        bad_ids=["T%20001", "..%2F..", "T0009"],
    ),
    "POST /api/v1/screening/tubes": Case(
        allowed=SAMPLERS,
        body=lambda w, side, user: {
            "barcode": "NEW0001",
            "site": str(side.site.pk),
            "pool_size": 5,
        },
        bad_bodies=[
            {},
            {"barcode": "T0001"},
            {"barcode": "T0001", "site": "not-a-uuid"},
            {"barcode": None, "site": UNKNOWN},
            {"barcode": "\x00", "site": UNKNOWN},
            {"barcode": "x" * 100, "site": UNKNOWN},
            {"barcode": "T0001", "site": UNKNOWN},
            with_site({"barcode": "T0001", "pool_size": 0}),
            with_site({"barcode": "T0001", "pool_size": "many"}),
            with_site({"barcode": "T0001", "pool_size": 10**12}),
            with_site({"barcode": "T0001", "code": "F" * 5000}),
            with_site({"barcode": "T0001", "code": "FY1:\x00"}),
            with_site({"barcode": "T0001", "person": 12}),
            with_site({"barcode": "T0001", "extra": True}),
        ],
        writes=True,
        refused=(403, 422),
        outside=(403, 404, 422),
    ),
    "POST /api/v1/screening/tubes/{barcode}/samples": Case(
        allowed=SAMPLERS,
        path=tube,
        body=lambda w, side, user: {"person": str(side.person.pk)},
        writes=True,
        records=SAMPLES,
        refused=(403, 404),
        bad_ids=["T%20001", "..%2F..", "T0009"],
        bad_bodies=[{}, {"code": 5}, {"person": "nobody"}, {"code": "x" * 5000}, {"what": 1}],
    ),
    "POST /api/v1/screening/tubes/{barcode}/close": Case(
        allowed=SAMPLERS,
        path=tube,
        writes=True,
        refused=(403, 404),
        ok=(200, 422),
        bad_ids=["T%20001", "..%2F..", "T0009"],
    ),
    "GET /api/v1/screening/sampling/persons": Case(
        allowed=SAMPLERS,
        query=lambda w, side, user: {"site": str(side.site.pk), "q": side.person.phone[-4:]},
        refused=(403, 404, 422),
        outside=(403, 404, 422),
        bad_queries=[
            {},
            {"q": "王"},
            {"site": "nope", "q": "王"},
            {"site": UNKNOWN, "q": "王"},
            with_site({"q": "王" * 51}),
            with_site({"q": "\x00"}),
        ],
    ),
    "GET /api/v1/screening/campaigns/{campaign_id}/exemptions": Case(
        need=(CAMPAIGN, p.VIEW), path=campaign, refused=(404,)
    ),
    "POST /api/v1/screening/campaigns/{campaign_id}/exemptions": Case(
        need=(CAMPAIGN, p.CHANGE),
        path=campaign,
        body=lambda w, side, user: {"person": str(side.person.pk), "reason": "住院"},
        writes=True,
        refused=(403, 404),
    ),
    "GET /api/v1/screening/pool-advice": Case(
        allowed=set(p.role_codes()), query=lambda w, side, user: {"prevalence": 0.01}, outside=()
    ),
    "POST /api/v1/screening/lab/receive": Case(
        need=(LAB_TUBE, p.ADD),
        body=lambda w, side, user: {"barcodes": [side.tube.barcode]},
        writes=True,
        records=RECEIVED_TUBES,
        ok=(200, 422),
        outside=(422,),
    ),
    "POST /api/v1/screening/results": Case(
        need=(LAB_TUBE, p.CHANGE),
        body=lambda w, side, user: {
            "results": [{"tube": side.tube.barcode, "result": "negative", "tested_at": at(-0.1)}]
        },
        ok=(200, 422),
        outside=(422,),
    ),
    "GET /api/v1/screening/lab/tubes": Case(need=(LAB_TUBE, p.VIEW)),
    "GET /api/v1/screening/rounds/{round_id}/coverage": Case(
        need=(CAMPAIGN, p.VIEW), path=round_, refused=(403, 404)
    ),
    "GET /api/v1/screening/rounds/{round_id}/missing": Case(
        need=(CAMPAIGN, p.VIEW),
        path=round_,
        query=lambda w, side, user: {"region": side.grid.code},
        refused=(403, 404),
    ),
    "POST /api/v1/screening/rounds/{round_id}/home-tasks": Case(
        need=(TASK, p.ADD), path=round_, writes=True, records=TASKS, refused=(403, 404)
    ),
}

# The newer areas declare their routes' cases in tests/scope/areas/<area>/cases.py.
API |= areas.cases("API")
