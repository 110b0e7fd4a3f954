"""The daily cycle's routes: cut-off times, batches, their pick list and delivery lists, and
recording a delivery from its task (API and pages). A grid's staff see the batch of their
community with their grid's part of the lists, and no pick list; a delivery is recorded by
the task's claimer or by whoever leads tasks there."""

from fangyi.core import permissions as p
from fangyi.fieldwork import services as fieldwork
from fangyi.fieldwork.models import Task
from fangyi.supplies.area import SUPPLY_REQUEST
from tests.scope.cases import Case

API_PREFIX = "/api/v1/supplies/batches"
PAGE_PREFIX = "/supplies/batches"
DONE = (302,)
HIDDEN = (404,)
# Who sees the whole community: the pick list, the cut-off times.
COMMUNITY = {p.ADMIN, p.COMMANDER, p.OFFICER}
# Who changes requests over the whole community: forming a batch, setting the times.
ORGANISERS = {p.ADMIN, p.OFFICER}
# Who may work a delivery task: its claimer (the grid team) or those who lead tasks.
WORKERS = {p.ADMIN, p.COMMANDER, p.OFFICER, p.GRID_LEADER, p.GRID_WORKER, p.VOLUNTEER}
TIMES = {"needs_by": "15:00", "orders_by": "17:30", "deliver_from": "07:30"}


def batch(key: str):
    return lambda w, side, user: {key: str(side.batch.pk)}


def urgent(key: str):
    return lambda w, side, user: {key: str(side.urgent_request.pk)}


def community(w, side, user):
    return {"code": side.community.code}


def claimed_task(key: str):
    """The side's delivery task, claimed by the caller first where they may claim it."""

    def path(w, side, user):
        # Read afresh: a case before this one claimed the world's task and was rolled back.
        task = Task.objects.get(pk=side.cycle_task.pk)
        if fieldwork.may_claim(user, task):
            fieldwork.claim(actor=user, task=task)
        return {key: str(side.cycle_task.pk)}

    return path


API = {
    f"GET {API_PREFIX}": Case(
        need=(SUPPLY_REQUEST, p.VIEW),
        refused=(200,),
        listed=lambda side: str(side.batch.pk),
        bad_queries=[{"day": "someday"}, {"cursor": "garbage"}, {"limit": 0}],
    ),
    f"POST {API_PREFIX}": Case(
        allowed=ORGANISERS,
        body=lambda w, side, user: {"region": side.community.code},
        writes=True,
        refused=(403, 422),
        outside=(422,),
        bad_bodies=[{"region": "\x00"}, ({"region": "9" * 12}, "region"), {"region": 5}],
    ),
    f"GET {API_PREFIX}/cut-offs/{{code}}": Case(allowed=COMMUNITY, path=community, refused=HIDDEN),
    f"PUT {API_PREFIX}/cut-offs/{{code}}": Case(
        allowed=ORGANISERS,
        path=community,
        body=lambda w, side, user: TIMES,
        writes=True,
        refused=(403, 404),
        bad_bodies=[
            {**TIMES, "needs_by": "25:00"},
            ({**TIMES, "needs_by": "19:00"}, "orders_by"),
            {"needs_by": "16:00"},
        ],
    ),
    f"GET {API_PREFIX}/{{batch_id}}": Case(
        need=(SUPPLY_REQUEST, p.VIEW), path=batch("batch_id"), refused=HIDDEN
    ),
    f"GET {API_PREFIX}/{{batch_id}}/pick-list": Case(
        allowed=COMMUNITY, path=batch("batch_id"), refused=(403, 404)
    ),
    f"GET {API_PREFIX}/{{batch_id}}/deliveries": Case(
        need=(SUPPLY_REQUEST, p.VIEW), path=batch("batch_id"), refused=HIDDEN
    ),
    f"POST {API_PREFIX}/dispatch/{{request_id}}": Case(
        need=(SUPPLY_REQUEST, p.CHANGE), path=urgent("request_id"), writes=True, refused=HIDDEN
    ),
    f"POST {API_PREFIX}/deliveries/{{task_id}}/deliver": Case(
        allowed=WORKERS,
        path=claimed_task("task_id"),
        body=lambda w, side, user: {"confirmation": "note", "note": "本人签收"},
        writes=True,
        refused=(403, 404),
        bad_bodies=[
            {"confirmation": "mail"},
            ({"confirmation": "note"}, "note"),
            ({"confirmation": "door", "left_at": "2001-01-01T08:00:00+08:00"}, "left_at"),
        ],
    ),
}

PAGES = {
    f"GET {PAGE_PREFIX}/": Case(need=(SUPPLY_REQUEST, p.VIEW)),
    f"POST {PAGE_PREFIX}/form/": Case(
        allowed=ORGANISERS,
        body=lambda w, side, user: {"region": side.community.code},
        writes=True,
        refused=(403, 400),
        outside=(400,),
        ok=DONE,
    ),
    f"GET {PAGE_PREFIX}/<uuid:pk>/": Case(
        need=(SUPPLY_REQUEST, p.VIEW), path=batch("pk"), refused=HIDDEN
    ),
    f"POST {PAGE_PREFIX}/dispatch/<uuid:pk>/": Case(
        need=(SUPPLY_REQUEST, p.CHANGE),
        path=urgent("pk"),
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    f"GET {PAGE_PREFIX}/cut-offs/<str:code>/": Case(
        allowed=COMMUNITY, path=community, refused=HIDDEN
    ),
    f"POST {PAGE_PREFIX}/cut-offs/<str:code>/": Case(
        allowed=ORGANISERS,
        path=community,
        body=lambda w, side, user: TIMES,
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    f"GET {PAGE_PREFIX}/deliveries/<uuid:pk>/": Case(
        allowed=WORKERS, path=claimed_task("pk"), refused=(403, 404)
    ),
    f"POST {PAGE_PREFIX}/deliveries/<uuid:pk>/": Case(
        allowed=WORKERS,
        path=claimed_task("pk"),
        body=lambda w, side, user: {"confirmation": "note", "note": "本人签收"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
}
