"""The delivery pool's routes: the pool, claiming ("我来送") and unclaiming (API and pages).
Only the grid team of the task's grid (grid leader, grid worker, volunteer) may claim; for
anyone else a pooled task does not exist (404)."""

from fangyi.core import permissions as p
from fangyi.fieldwork import services
from fangyi.fieldwork.area import TASK
from fangyi.fieldwork.models import Task
from tests.scope.cases import Case

TEAM = {p.GRID_LEADER, p.GRID_WORKER, p.VOLUNTEER}
HIDDEN = (404,)
DONE = (302,)


def pool_task(key: str):
    return lambda w, side, user: {key: str(side.pool_task.pk)}


def claimed_by_caller(key: str):
    """The side's second delivery, claimed by the caller first where they may claim it."""

    def path(w, side, user):
        # Read afresh: a case before this one claimed the world's task and was rolled back.
        task = Task.objects.get(pk=side.unclaim_task.pk)
        if services.may_claim(user, task):
            services.claim(actor=user, task=task)
        return {key: str(task.pk)}

    return path


API = {
    "GET /api/v1/tasks/pool": Case(
        allowed=TEAM,
        refused=(200,),
        listed=lambda side: str(side.pool_task.pk),
        bad_queries=[{"cursor": "garbage"}, {"cursor": "W10"}, {"limit": 0}, {"limit": 10_000}],
    ),
    "POST /api/v1/tasks/{task_id}/claim": Case(
        allowed=TEAM, path=pool_task("task_id"), writes=True, refused=HIDDEN
    ),
    "POST /api/v1/tasks/{task_id}/unclaim": Case(
        allowed=TEAM, path=claimed_by_caller("task_id"), writes=True, refused=HIDDEN
    ),
}

PAGES = {
    "GET /tasks/deliveries/": Case(need=(TASK, p.VIEW)),
    "POST /tasks/<uuid:pk>/claim/": Case(
        allowed=TEAM, path=pool_task("pk"), writes=True, refused=HIDDEN, ok=DONE
    ),
    "POST /tasks/<uuid:pk>/unclaim/": Case(
        allowed=TEAM, path=claimed_by_caller("pk"), writes=True, refused=HIDDEN, ok=DONE
    ),
}
