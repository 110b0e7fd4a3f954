"""What test modules share besides fixtures: clients for the API and the pages, and times.

Test modules import from here (or from an area's support module), never from a conftest or
another test module; tests/core/test_layout.py checks that.
"""

import datetime

import base45
from django.test import Client
from django.utils import timezone

from fangyi.accounts.services import issue_token
from fangyi.codes import format as code_format
from fangyi.portal import services as portal_services
from fangyi.portal.auth import SESSION_KEY

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def client_for(user) -> Client:
    """An API client holding a fresh staff token of `user`."""
    return Client(headers={"Authorization": f"Bearer {issue_token(actor=None, user=user)}"})


def send(client: Client, method: str, url: str, body):
    return getattr(client, method)(url, body, content_type="application/json")


def post(client: Client, url: str, body):
    return send(client, "post", url, body)


def signed_in(user) -> Client:
    """A browser signed in to the staff pages."""
    client = Client()
    client.force_login(user)
    return client


def resident_token(person) -> str:
    raw, _token = portal_services.issue_token(person=person)
    return raw


def as_resident(person) -> Client:
    """An API client holding a fresh resident token of `person`."""
    return Client(headers={"Authorization": f"Bearer {resident_token(person)}"})


def resident_client(person) -> Client:
    """A browser logged in through the portal: the session holds the resident's id."""
    client = Client()
    session = client.session
    session[SESSION_KEY] = str(person.pk)
    session.save()
    return client


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def later(**delta) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(**delta)


def tampered(text: str) -> str:
    """A real code whose compressed bytes were changed on the way: it no longer inflates."""
    prefix = code_format.PERSON_PREFIX
    compressed = bytearray(base45.b45decode(text.removeprefix(prefix)))
    compressed[0] ^= 0xFF
    return prefix + base45.b45encode(bytes(compressed)).decode()


def run_queued_tasks() -> None:
    """Runs every task queued on the configured backend, in this process, then returns: the
    database backend's `db_worker --batch`, or an RQ worker in burst mode that does not fork
    (so that the task sees the test's database). Tests that call it are marked `tasks`, run on
    both backends (docs/testing.md), and are transactional: the database worker closes a
    connection that is inside a transaction, as a test's is."""
    from django.core.management import call_command
    from django.tasks import default_task_backend

    from fangyi.core.tasking import uses_rq

    if not uses_rq():
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        return
    import django_rq
    from rq import SimpleWorker

    from fangyi.core.rq import Job

    queues = [
        django_rq.get_queue(name, job_class=Job) for name in sorted(default_task_backend.queues)
    ]
    worker = SimpleWorker(queues, connection=queues[0].connection, job_class=Job)
    worker.work(burst=True)
