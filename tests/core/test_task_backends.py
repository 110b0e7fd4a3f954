"""The task backend is chosen by FANGYI_TASK_BACKEND; whichever it is, tasks and their results
are Django's own `django.tasks` types, and `worker_command()` starts its worker."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.tasks import Task, TaskResult, TaskResultStatus, default_task_backend
from django.tasks.exceptions import TaskResultDoesNotExist

from fangyi.core.tasking import DATABASE, RQ, backend_path, uses_rq, worker_command
from fangyi.core.tasks import echo_task
from tests.support import run_queued_tasks


def test_short_names_and_dotted_paths():
    assert backend_path("database") == backend_path("") == DATABASE
    assert backend_path("rq") == RQ == "fangyi.core.rq.RQBackend"
    immediate = "django.tasks.backends.immediate.ImmediateBackend"
    assert backend_path(immediate) == immediate
    with pytest.raises(ImproperlyConfigured, match="database or rq"):
        backend_path("redis")


def test_the_worker_command_follows_the_backend(settings):
    settings.TASKS = {"default": {"BACKEND": DATABASE}}
    command = worker_command()
    assert command[1:4] == ["-m", "fangyi", "db_worker"]
    assert "--no-reload" in command and command[command.index("--queue-name") + 1] == "default"
    settings.TASKS = {"default": {"BACKEND": RQ}}
    assert worker_command()[1:] == [
        "-m",
        "fangyi",
        "rqworker",
        "--job-class",
        "fangyi.core.rq.Job",
        "default",
    ]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with pytest.raises(ImproperlyConfigured, match="No worker command"):
        worker_command()


def test_tasks_are_djangos_own_on_the_rq_backend_too(settings):
    settings.TASKS = {"default": {"BACKEND": RQ}}
    assert default_task_backend.task_class is Task
    assert type(echo_task) is Task


@pytest.mark.tasks
@pytest.mark.django_db(transaction=True)
def test_a_task_goes_through_the_configured_backend():
    import os

    assert uses_rq() == (os.environ.get("FANGYI_TASK_BACKEND") == "rq")
    result = echo_task.enqueue(7)
    assert isinstance(result, TaskResult) and result.status == TaskResultStatus.READY
    run_queued_tasks()
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 7
    again = echo_task.get_result(result.id)
    assert isinstance(again, TaskResult) and again.return_value == 7 and again.worker_ids


@pytest.mark.tasks
@pytest.mark.django_db
def test_an_unknown_result_is_djangos_does_not_exist():
    with pytest.raises(TaskResultDoesNotExist):
        echo_task.get_result("00000000-0000-0000-0000-000000000000")
