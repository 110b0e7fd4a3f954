import pytest
from django.test import Client

from fangyi.accounts.services import issue_token


def client_for(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {issue_token(actor=None, user=user)}"})


def send(client: Client, method: str, url: str, body: dict):
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def as_worker_a(worker_a):
    return client_for(worker_a)


@pytest.fixture
def as_officer(officer):
    return client_for(officer)
