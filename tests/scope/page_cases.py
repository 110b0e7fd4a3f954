"""The declared cases of the pages, keyed "METHOD /path" as Django's URL patterns spell it.

A page that shows a form (GET) and takes it (POST) has a case for each. Pages answer a
refusal with 403 or hide the object with 404; a form that does not validate is shown again
(200) with its errors, and a write that succeeds redirects (302) or answers htmx (200).
"""

import datetime

from django.utils import timezone

from fangyi.accounts.area import STAFF
from fangyi.checkpoints.area import SCAN, VENUE
from fangyi.codes.area import CODE
from fangyi.core import permissions as p
from fangyi.fieldwork.area import TASK
from fangyi.fieldwork.models import Task
from fangyi.health.area import APPEAL, DECISION, FACT, POLICY, ZONE
from fangyi.health.models import Fact
from fangyi.ledgers.models import ExportJob, ImportJob
from fangyi.ledgers.registry import LEDGERS
from fangyi.people.area import HOUSEHOLD, PERSON
from fangyi.portal.area import GUARDIANSHIP
from fangyi.portal.models import Guardianship
from fangyi.regions.area import REGION
from fangyi.screening.area import CAMPAIGN, LAB_TUBE, SAMPLE
from fangyi.screening.models import Sample, Tube
from tests.factories import resident_id

from . import areas
from .api_cases import (
    EMPTY,
    IMPORTERS,
    LEADS,
    SAMPLERS,
    own_export,
    own_failed_export,
    own_failed_import,
    own_import,
)
from .cases import Case
from .world import upload

FACTS = lambda: Fact.objects.count()  # noqa: E731 - facts are their own audit trail
GUARDIANSHIPS = lambda: Guardianship.objects.count()  # noqa: E731
IMPORT_JOBS = lambda: ImportJob.objects.count()  # noqa: E731
EXPORT_JOBS = lambda: ExportJob.objects.count()  # noqa: E731
TASKS = lambda: Task.objects.count()  # noqa: E731
TUBES = lambda: Tube.objects.count()  # noqa: E731
SAMPLES = lambda: Sample.objects.count()  # noqa: E731

MISSING_EXPORTERS = {
    role
    for role in p.role_codes()
    if p.VIEW in p.MATRIX[role].get(CAMPAIGN, ()) and p.EXPORT in p.MATRIX[role].get(PERSON, ())
}

NASTY_CODES = ["", "\x00", "FYP1:" + "9" * 5000, "FY1:ABC", "FYP1:%%%%", "😀" * 300, "' OR 1=1 --"]
LONG = "王" * 60
LIST_FILTERS = [
    {"kind": "casino"},
    {"region": "\x00"},
    {"region": "9" * 100},
    {"cursor": "garbage"},
    {"cursor": "%%%"},
    {"cursor": "\x00"},
    {"limit": "-1"},
]


def with_site(body: dict):
    return lambda w, side, user: body | {"site": str(side.site.pk)}


DONE = (302,)
SHOWN = (200,)


def moment(hours: float) -> str:
    return (timezone.localtime() + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def pk_of(attribute: str):
    return lambda w, side, user: {"pk": str(getattr(side, attribute).pk)}


def code_of(attribute: str):
    return lambda w, side, user: {"code": getattr(side, attribute).code}


def job_pk(maker):
    return lambda w, side, user: {"pk": maker(w, side, user)["job_id"]}


def residents_ledger(w, side, user):
    return {"slug": "residents"}


person_pk = pk_of("person")
task_pk = pk_of("task")
campaign_pk = pk_of("campaign")
round_id = lambda w, side, user: {"round_id": str(side.round.pk)}  # noqa: E731


def staff_form(w, side, user):
    return {
        "username": f"new_{side.city.code}",
        "password": "correct horse battery",
        "role": p.VOLUNTEER,
        "region": side.grid.code,
    }


PAGES = {
    # The API's own documents: what it offers is no secret, its data is.
    "GET /api/v1/": Case(audience="public", ok=(200, 404)),
    "GET /api/v1/openapi.json": Case(audience="public"),
    "GET /api/v1/docs": Case(audience="public"),
    # Public pages and the residents' portal.
    "GET /i18n/setlang/": Case(audience="public", ok=(302,)),
    "GET /login/": Case(audience="public", ok=(200, 302)),
    "POST /logout/": Case(audience="public", ok=(302,)),
    "GET /me/login/": Case(audience="public", ok=(200, 302)),
    "POST /me/logout/": Case(audience="public", ok=(302,)),
    "GET /checkpoints/sw.js": Case(audience="public"),
    # The place code is checked before anyone is asked to log in.
    "GET /checkpoints/v/": Case(
        audience="public",
        query=lambda w, side, user: {"c": "FYP1:NOTACODE"},
        ok=(400,),
        bad_queries=[{"c": text} for text in NASTY_CODES],
    ),
    "GET /me/": Case(audience="resident"),
    # The panel is fetched by the code page's script, which handles 401 itself.
    "GET /me/code/panel/": Case(audience="resident", refused=(401,)),
    "GET /me/status/": Case(audience="resident"),
    "GET /me/appeal/": Case(audience="resident"),
    "POST /me/appeal/": Case(
        audience="resident",
        body=lambda w, side, user: {"target": f"fact:{side.fact.pk}", "reason": "当天我不在现场。"},
        writes=True,
        ok=DONE,
        outside=SHOWN,
    ),
    "GET /me/declare/health/": Case(audience="resident"),
    "POST /me/declare/health/": Case(
        audience="resident",
        body=lambda w, side, user: {"temperature": "37.9", "symptoms": ["cough"]},
        writes=True,
        records=FACTS,
        ok=DONE,
        outside=(),
    ),
    "GET /me/declare/trip/": Case(audience="resident"),
    "POST /me/declare/trip/": Case(
        audience="resident",
        body=lambda w, side, user: {
            "from_area": "上海",
            "arrived_at": moment(-3),
            "risk_area": "on",
        },
        writes=True,
        records=FACTS,
        ok=DONE,
        outside=(),
    ),
    "GET /me/people/": Case(audience="resident"),
    "POST /me/people/": Case(
        audience="resident",
        body=lambda w, side, user: {
            "name": "王小宝",
            "id_number": resident_id(),
            "relation": "child",
        },
        writes=True,
        records=GUARDIANSHIPS,
        ok=DONE,
        outside=(),
    ),
    "POST /me/people/<uuid:pk>/end/": Case(
        audience="resident", path=pk_of("guardianship"), writes=True, ok=DONE
    ),
    "GET /me/staff/guardianships/": Case(need=(GUARDIANSHIP, p.CHANGE)),
    "POST /me/staff/guardianships/<uuid:pk>/decide/": Case(
        need=(GUARDIANSHIP, p.CHANGE),
        path=pk_of("guardianship"),
        body=lambda w, side, user: {"confirm": "1", "note": "核实"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    # Staff, the home page and the audit log.
    "GET /staff/": Case(need=(STAFF, p.VIEW)),
    "GET /staff/new/": Case(need=(STAFF, p.ADD)),
    "POST /staff/new/": Case(
        need=(STAFF, p.ADD),
        body=staff_form,
        writes=True,
        ok=DONE,
        outside=SHOWN,
    ),
    "POST /staff/<uuid:pk>/deactivate/": Case(
        need=(STAFF, p.CHANGE),
        path=lambda w, side, user: {"pk": str(side.second_worker.pk)},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    # Staff of one region land on it, samplers and labs on their screens.
    "GET /": Case(allowed=set(p.role_codes()), ok=(200, 302)),
    "GET /audit/": Case(need=(p.AUDIT, p.VIEW)),
    # Regions and people.
    "GET /regions/": Case(allowed=set(p.role_codes())),
    "GET /regions/<str:code>/": Case(
        need=(REGION, p.VIEW), path=code_of("grid"), refused=(403, 404)
    ),
    "GET /regions/<str:code>/children/": Case(
        need=(REGION, p.VIEW), path=code_of("grid"), refused=(403, 404)
    ),
    "GET /people/": Case(need=(PERSON, p.VIEW), refused=(403,) + EMPTY),
    "GET /people/new/": Case(
        need=(PERSON, p.ADD),
        query=lambda w, side, user: {"household": str(side.household.pk)},
        refused=(403, 404),
    ),
    "POST /people/new/": Case(
        need=(PERSON, p.ADD),
        query=lambda w, side, user: {"household": str(side.household.pk)},
        body=lambda w, side, user: {
            "name": "赵新来",
            "id_type": "resident_id",
            "id_number": resident_id(),
            "phone": "13700000001",
            "residence_status": "resident",
        },
        writes=True,
        refused=(403, 404),
        ok=DONE,
        outside=(404,) + SHOWN,
    ),
    "GET /people/<uuid:pk>/": Case(need=(PERSON, p.VIEW), path=person_pk, refused=(403, 404)),
    "POST /people/<uuid:pk>/reveal/": Case(
        need=(PERSON, p.REVEAL),
        path=person_pk,
        body=lambda w, side, user: {"reason": "核对信息"},
        writes=True,
        refused=(403, 404),
        ok=SHOWN,
    ),
    "GET /people/<uuid:pk>/edit/": Case(
        need=(PERSON, p.CHANGE), path=person_pk, refused=(403, 404)
    ),
    "POST /people/<uuid:pk>/edit/": Case(
        need=(PERSON, p.CHANGE),
        path=person_pk,
        body=lambda w, side, user: {
            "name": side.person.name,
            "id_type": "resident_id",
            "id_number": side.person.id_number,
            "gender": side.person.gender,
            "birth_date": side.person.birth_date.isoformat(),
            "phone": "13600000009",
            "residence_status": "resident",
        },
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "GET /people/households/new/": Case(
        need=(HOUSEHOLD, p.ADD),
        query=lambda w, side, user: {"building": side.building.code},
        refused=(403, 404),
        outside=(404,) + SHOWN,
    ),
    "POST /people/households/new/": Case(
        need=(HOUSEHOLD, p.ADD),
        query=lambda w, side, user: {"building": side.building.code},
        body=lambda w, side, user: {"room": "909"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
        outside=(404,) + SHOWN,
    ),
    "GET /people/households/<uuid:pk>/": Case(
        need=(HOUSEHOLD, p.VIEW), path=pk_of("household"), refused=(403, 404)
    ),
    # Ledgers.
    # Whoever may import or export some ledger.
    "GET /ledgers/": Case(
        allowed={
            role
            for role in p.role_codes()
            for ledger in LEDGERS.values()
            if p.MATRIX[role].get(ledger.resource, set())
            & ({ledger.export_action} | ({p.ADD, p.CHANGE} if ledger.importable else set()))
        }
    ),
    "GET /ledgers/imports/<uuid:pk>/": Case(
        allowed=IMPORTERS, path=job_pk(own_import), refused=(404,)
    ),
    "POST /ledgers/imports/<uuid:pk>/commit/": Case(
        allowed=IMPORTERS,
        path=job_pk(own_import),
        writes=True,
        records=IMPORT_JOBS,
        refused=(404,),
        ok=DONE,
    ),
    "POST /ledgers/imports/<uuid:pk>/retry/": Case(
        allowed=IMPORTERS, path=job_pk(own_failed_import), writes=True, refused=(404,), ok=DONE
    ),
    "POST /ledgers/exports/<uuid:pk>/retry/": Case(
        need=(PERSON, p.EXPORT),
        path=job_pk(own_failed_export),
        writes=True,
        refused=(404,),
        ok=DONE,
    ),
    "GET /ledgers/imports/<uuid:pk>/errors/": Case(
        allowed=IMPORTERS, path=job_pk(own_import), refused=(404,)
    ),
    "GET /ledgers/exports/<uuid:pk>/": Case(
        need=(PERSON, p.EXPORT), path=job_pk(own_export), refused=(404,)
    ),
    "GET /ledgers/exports/<uuid:pk>/file/": Case(
        need=(PERSON, p.EXPORT), path=job_pk(own_export), refused=(404,)
    ),
    "GET /ledgers/<slug:slug>/import/": Case(
        allowed=IMPORTERS, path=residents_ledger, refused=(403, 404), outside=()
    ),
    "POST /ledgers/<slug:slug>/import/": Case(
        allowed=IMPORTERS,
        path=residents_ledger,
        files=lambda w, side, user: {"file": upload()},
        writes=True,
        records=IMPORT_JOBS,
        refused=(403, 404),
        ok=DONE,
        outside=(),
    ),
    "GET /ledgers/<slug:slug>/export/": Case(
        need=(PERSON, p.EXPORT), path=residents_ledger, refused=(403, 404), outside=()
    ),
    "POST /ledgers/<slug:slug>/export/": Case(
        need=(PERSON, p.EXPORT),
        path=residents_ledger,
        body=lambda w, side, user: {"region": side.grid.code, "format": "xlsx"},
        writes=True,
        records=EXPORT_JOBS,
        refused=(403, 404),
        ok=DONE,
        outside=SHOWN,
    ),
    "GET /ledgers/<slug:slug>/template/": Case(
        allowed=set(p.role_codes()), path=residents_ledger, outside=()
    ),
    # Health.
    "GET /health/people/<uuid:pk>/": Case(
        need=(PERSON, p.VIEW), path=person_pk, refused=(403, 404)
    ),
    "GET /health/people/<uuid:pk>/facts/new/": Case(
        need=(FACT, p.ADD), path=person_pk, refused=(403, 404)
    ),
    "POST /health/people/<uuid:pk>/facts/new/": Case(
        need=(FACT, p.ADD),
        path=person_pk,
        body=lambda w, side, user: {"kind": "close_contact", "occurred_at": moment(-1)},
        writes=True,
        records=FACTS,
        refused=(403, 404),
        ok=DONE,
    ),
    "GET /health/people/<uuid:pk>/appeals/new/": Case(
        need=(APPEAL, p.ADD), path=person_pk, refused=(403, 404)
    ),
    "POST /health/people/<uuid:pk>/appeals/new/": Case(
        need=(APPEAL, p.ADD),
        path=person_pk,
        body=lambda w, side, user: {"target": f"fact:{side.fact.pk}", "reason": "当天不在场"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "GET /health/people/<uuid:pk>/decisions/new/": Case(
        need=(DECISION, p.ADD), path=person_pk, refused=(403, 404)
    ),
    "POST /health/people/<uuid:pk>/decisions/new/": Case(
        need=(DECISION, p.ADD),
        path=person_pk,
        body=lambda w, side, user: {
            "colour": "yellow",
            "reason": "流调核实中，暂按密接的密接管理。",
            "expires_at": moment(24),
        },
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "GET /health/regions/<str:code>/counts/": Case(
        need=(PERSON, p.VIEW), path=code_of("grid"), refused=(403, 404)
    ),
    "GET /health/zones/": Case(need=(ZONE, p.VIEW), listed=lambda side: side.building.name),
    "GET /health/zones/new/": Case(need=(ZONE, p.ADD)),
    "POST /health/zones/new/": Case(
        need=(ZONE, p.ADD),
        body=lambda w, side, user: {
            "kind": "medium",
            "regions": side.building.code,
            "starts_at": moment(0),
            "reason": "新增阳性病例",
        },
        writes=True,
        ok=DONE,
        outside=SHOWN,
    ),
    "GET /health/zones/<uuid:pk>/lift/": Case(
        need=(ZONE, p.CHANGE), path=pk_of("zone"), refused=(403, 404)
    ),
    "POST /health/zones/<uuid:pk>/lift/": Case(
        need=(ZONE, p.CHANGE),
        path=pk_of("zone"),
        body=lambda w, side, user: {"reason": "连续14天无新增"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "GET /health/appeals/": Case(need=(APPEAL, p.VIEW)),
    "GET /health/appeals/<uuid:pk>/": Case(
        need=(APPEAL, p.VIEW), path=pk_of("appeal"), refused=(403, 404)
    ),
    "POST /health/appeals/<uuid:pk>/": Case(
        need=(APPEAL, p.CHANGE),
        path=pk_of("appeal"),
        body=lambda w, side, user: {"verdict": "reject", "note": "核实属实，维持"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "GET /health/decisions/": Case(need=(DECISION, p.VIEW)),
    "GET /health/decisions/<uuid:pk>/review/": Case(
        need=(DECISION, p.CHANGE), path=pk_of("decision"), refused=(403, 404)
    ),
    "POST /health/decisions/<uuid:pk>/review/": Case(
        need=(DECISION, p.CHANGE),
        path=pk_of("decision"),
        body=lambda w, side, user: {"verdict": "accept", "note": "同意"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "GET /health/decisions/<uuid:pk>/revoke/": Case(
        need=(DECISION, p.CHANGE), path=pk_of("decision"), refused=(403, 404)
    ),
    "POST /health/decisions/<uuid:pk>/revoke/": Case(
        need=(DECISION, p.CHANGE),
        path=pk_of("decision"),
        body=lambda w, side, user: {"reason": "已核实"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "GET /health/policies/": Case(need=(POLICY, p.VIEW)),
    "GET /health/policies/<uuid:pk>/switch/": Case(
        need=(POLICY, p.CHANGE),
        path=lambda w, side, user: {"pk": str(w.other_policy.pk)},
        refused=(403, 404),
        outside=(),
    ),
    "POST /health/policies/<uuid:pk>/switch/": Case(
        need=(POLICY, p.CHANGE),
        path=lambda w, side, user: {"pk": str(w.other_policy.pk)},
        writes=True,
        refused=(403, 404),
        ok=DONE,
        outside=(),
    ),
    "POST /health/recomputes/<uuid:pk>/retry/": Case(
        need=(POLICY, p.CHANGE),
        path=lambda w, side, user: {"pk": str(w.failed_recompute.pk)},
        writes=True,
        refused=(403, 404),
        ok=DONE,
        outside=(),
    ),
    # Codes.
    "GET /codes/card/<uuid:person_id>/": Case(
        need=(CODE, p.ADD),
        path=lambda w, side, user: {"person_id": str(side.person.pk)},
        refused=(403, 404),
    ),
    "GET /codes/revoke/<uuid:person_id>/": Case(
        need=(CODE, p.CHANGE),
        path=lambda w, side, user: {"person_id": str(side.person.pk)},
        refused=(403, 404),
    ),
    "POST /codes/revoke/<uuid:person_id>/": Case(
        need=(CODE, p.CHANGE),
        path=lambda w, side, user: {"person_id": str(side.person.pk)},
        body=lambda w, side, user: {"reason": "证件遗失"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    # Checkpoints.
    "GET /checkpoints/venues/": Case(
        need=(VENUE, p.VIEW),
        refused=(403,) + EMPTY,
        listed=lambda side: side.venue.name,
        bad_queries=LIST_FILTERS,
    ),
    "GET /checkpoints/venues/new/": Case(need=(VENUE, p.ADD)),
    "POST /checkpoints/venues/new/": Case(
        need=(VENUE, p.ADD),
        body=lambda w, side, user: {
            "name": "药店",
            "kind": "other",
            "region": side.grid.code,
            "address": "3号",
        },
        writes=True,
        ok=DONE,
        outside=SHOWN,
        bad_bodies=[
            {"name": "x" * 500, "kind": "other", "region": "350102001001001"},
            {"name": "药店", "kind": "casino", "region": "350102001001001"},
            {"name": "药店", "kind": "other", "region": "\x00"},
            {"name": "药店", "kind": "other", "region": "350202001001001"},
            {},
        ],
    ),
    "GET /checkpoints/venues/<uuid:pk>/": Case(
        need=(VENUE, p.VIEW), path=pk_of("venue"), refused=(403, 404)
    ),
    "GET /checkpoints/venues/<uuid:pk>/edit/": Case(
        need=(VENUE, p.CHANGE), path=pk_of("venue"), refused=(403, 404)
    ),
    "POST /checkpoints/venues/<uuid:pk>/edit/": Case(
        need=(VENUE, p.CHANGE),
        path=pk_of("venue"),
        body=lambda w, side, user: {
            "name": "超市",
            "kind": "supermarket",
            "region": side.grid.code,
            "address": "2号",
            "active": "on",
        },
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "GET /checkpoints/venues/<uuid:pk>/place-code/": Case(
        need=(VENUE, p.VIEW), path=pk_of("venue"), refused=(403, 404)
    ),
    "GET /checkpoints/scan/": Case(need=(SCAN, p.ADD)),
    # Field work.
    "GET /tasks/": Case(need=(TASK, p.VIEW), allowed=LEADS, refused=(403,)),
    "GET /tasks/mine/": Case(need=(TASK, p.CHANGE), refused=(403,)),
    "GET /tasks/new/": Case(need=(TASK, p.ADD)),
    # A confirmed form (it carries its batch) creates the tasks; a resident out of scope is an
    # error in the form, not a page that does not exist.
    "POST /tasks/new/": Case(
        need=(TASK, p.ADD),
        body=lambda w, side, user: {
            "kind": "follow_up_visit",
            "due_at": (timezone.localtime() + datetime.timedelta(days=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "person": str(side.person.pk),
            "batch": "6f1b0a52-3c2e-4d9b-9a51-0b7c5e1d2f30",
        },
        writes=True,
        ok=DONE,
        outside=(400,),
    ),
    "POST /tasks/assign/": Case(
        need=(TASK, p.ADD),
        body=lambda w, side, user: {
            "task": str(side.task.pk),
            "assignee": str(w.home.second_worker.pk),
        },
        writes=True,
        ok=DONE,
    ),
    "GET /tasks/<uuid:pk>/": Case(
        allowed=LEADS | {p.GRID_WORKER}, path=task_pk, refused=(403, 404)
    ),
    "POST /tasks/<uuid:pk>/assign/": Case(
        need=(TASK, p.ADD),
        path=task_pk,
        body=lambda w, side, user: {"assignee": str(w.home.second_worker.pk)},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "POST /tasks/<uuid:pk>/start/": Case(
        allowed=LEADS | {p.GRID_WORKER}, path=task_pk, writes=True, refused=(403, 404), ok=DONE
    ),
    "POST /tasks/<uuid:pk>/complete/": Case(
        allowed=LEADS | {p.GRID_WORKER},
        path=task_pk,
        body=lambda w, side, user: {"note": "已采样"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "POST /tasks/<uuid:pk>/fail/": Case(
        allowed=LEADS | {p.GRID_WORKER},
        path=task_pk,
        body=lambda w, side, user: {"reason": "家中无人"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "POST /tasks/<uuid:pk>/reopen/": Case(
        allowed=LEADS,
        path=pk_of("failed_task"),
        body=lambda w, side, user: {"reason": "重新安排"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    # Screening.
    "GET /screening/": Case(need=(CAMPAIGN, p.VIEW), bad_queries=LIST_FILTERS),
    "GET /screening/new/": Case(need=(CAMPAIGN, p.ADD)),
    "POST /screening/new/": Case(
        need=(CAMPAIGN, p.ADD),
        body=lambda w, side, user: {
            "name": "二轮筛查",
            "regions": [side.community.code],
            "default_pool_size": "10",
            "pool_sizes": ["1", "10"],
        },
        writes=True,
        ok=DONE,
        outside=(400,),
    ),
    "GET /screening/<uuid:pk>/": Case(
        need=(CAMPAIGN, p.VIEW),
        path=campaign_pk,
        refused=(403, 404),
        bad_queries=[
            {"exempt-q": LONG},
            {"exempt-q": "\x00"},
            {"cursor": "%%%"},
            {"cursor": "\x00"},
        ],
    ),
    "POST /screening/<uuid:pk>/rounds/": Case(
        need=(CAMPAIGN, p.CHANGE),
        path=campaign_pk,
        body=lambda w, side, user: {"round-starts_at": moment(30), "round-deadline": moment(50)},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "POST /screening/<uuid:pk>/sites/": Case(
        need=(CAMPAIGN, p.CHANGE),
        path=campaign_pk,
        body=lambda w, side, user: {
            "site-region": side.grid.code,
            "site-name": "二号点",
            "site-capacity_per_hour": "50",
        },
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "POST /screening/<uuid:pk>/exemptions/": Case(
        need=(CAMPAIGN, p.CHANGE),
        path=campaign_pk,
        body=lambda w, side, user: {"exempt-person": str(side.person.pk), "exempt-reason": "住院"},
        writes=True,
        refused=(403, 404),
        bad_bodies=[
            {"exempt-q": LONG, "exempt-person": "x", "exempt-reason": "住院"},
            lambda w, side, user: {"exempt-person": str(side.person.pk), "exempt-reason": "\x00"},
            lambda w, side, user: {
                "exempt-person": str(side.person.pk),
                "exempt-reason": "住院",
                "exempt-round": "x",
            },
        ],
        ok=DONE,
    ),
    "POST /screening/sites/<uuid:pk>/samplers/": Case(
        need=(CAMPAIGN, p.CHANGE),
        path=pk_of("site"),
        body=lambda w, side, user: {
            f"assign-{side.site.pk}-samplers": [str(side.second_sampler.pk)]
        },
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "GET /screening/sampling/": Case(
        allowed=SAMPLERS | {p.ADMIN},
        bad_queries=[
            {"q": LONG},
            {"q": "\x00"},
            {"tube": "x" * 100},
            {"tube": "T1\x00"},
            {"site": "\x00"},
            {"site": "not-a-site"},
        ],
    ),
    "POST /screening/sampling/open/": Case(
        allowed=SAMPLERS,
        body=lambda w, side, user: {
            "site": str(side.site.pk),
            "barcode": "NEW0001",
            "pool_size": "10",
        },
        writes=True,
        records=TUBES,
        bad_bodies=[
            {"site": "\x00", "barcode": "T0001"},
            with_site({"barcode": "T0001\x00"}),
            with_site({"barcode": "T0001", "pool_size": "many"}),
        ],
        refused=(302, 403, 404),
        ok=DONE,
        outside=(302, 403, 404),
    ),
    "POST /screening/sampling/add/": Case(
        allowed=SAMPLERS,
        body=lambda w, side, user: {
            "site": str(side.site.pk),
            "tube": side.tube.barcode,
            "person": str(side.person.pk),
        },
        writes=True,
        records=SAMPLES,
        refused=(302, 403, 404),
        bad_bodies=[
            with_site({"tube": "T1\x00", "text": "FY1:x"}),
            with_site({"tube": "T0009", "person": "not-a-uuid"}),
        ],
        ok=DONE,
        outside=(302, 403, 404),
    ),
    "POST /screening/sampling/close/": Case(
        allowed=SAMPLERS,
        body=lambda w, side, user: {"site": str(side.site.pk), "tube": side.tube.barcode},
        refused=(302, 403, 404),
        bad_bodies=[with_site({"tube": "x" * 100, "confirm": "1"})],
        ok=DONE,
        outside=(302, 403, 404),
    ),
    "GET /screening/lab/": Case(need=(LAB_TUBE, p.VIEW)),
    "POST /screening/lab/receive/": Case(
        need=(LAB_TUBE, p.ADD),
        body=lambda w, side, user: {"barcode": side.tube.barcode},
        ok=SHOWN + DONE,
        outside=SHOWN + DONE,
    ),
    "POST /screening/lab/result/": Case(
        need=(LAB_TUBE, p.CHANGE),
        body=lambda w, side, user: {"barcode": side.tube.barcode, "result": "negative"},
        # The world's tubes are still open at the sampling site: the lab refuses a result.
        ok=(400,),
        outside=(400,) + SHOWN + DONE,
    ),
    "GET /screening/rounds/<uuid:round_id>/coverage/": Case(
        need=(CAMPAIGN, p.VIEW), path=round_id, refused=(403, 404)
    ),
    "POST /screening/rounds/<uuid:round_id>/home-tasks/": Case(
        need=(TASK, p.ADD),
        path=round_id,
        body=lambda w, side, user: {"region": side.grid.code},
        writes=True,
        records=TASKS,
        refused=(403, 404),
        ok=DONE,
    ),
    # The day's samples of a region: the command centre's screening figures open it.
    "GET /screening/samples/": Case(
        need=(SAMPLE, p.VIEW),
        query=lambda w, side, user: {"region": side.grid.code},
        refused=(403, 404),
        outside=(404,),
    ),
    "GET /screening/rounds/<uuid:round_id>/missing/": Case(
        need=(CAMPAIGN, p.VIEW), path=round_id, refused=(403, 404)
    ),
    # A refused export is a message on the page it came from.
    "POST /screening/rounds/<uuid:round_id>/missing/export/": Case(
        allowed=MISSING_EXPORTERS,
        path=round_id,
        body=lambda w, side, user: {"region": side.grid.code, "format": "xlsx"},
        writes=True,
        records=EXPORT_JOBS,
        refused=(302, 403, 404),
        ok=DONE,
    ),
}

# The newer areas declare their routes' cases in tests/scope/areas/<area>/cases.py.
PAGES |= areas.cases("PAGES")
