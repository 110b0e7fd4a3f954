"""The fieldwork cards: tasks nobody was given yet and overdue ones for those who assign,
and a worker's own tasks."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from fangyi.core.areas import Todo, bounded_count
from fangyi.core.permissions import ADD, VIEW

from .models import Task, TaskStatus


def tasks_to_assign(user) -> Todo:
    tasks = Task.objects.restrict(user, ADD)
    count, more = bounded_count(tasks.filter(status=TaskStatus.OPEN))
    overdue, overdue_more = bounded_count(tasks.overdue())
    note = ""
    if overdue:
        note = _("%(n)s%(more)s 项已超期") % {"n": overdue, "more": "+" if overdue_more else ""}
    return Todo(
        count=count,
        more=more,
        note=note,
        url=reverse("fieldwork:list") + "?" + urlencode({"status": TaskStatus.OPEN}),
    )


def my_tasks(user) -> Todo:
    count, more = bounded_count(Task.objects.restrict(user, VIEW).filter(assignee=user).pending())
    return Todo(count=count, more=more)
