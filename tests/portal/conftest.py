import json
import re

import pytest
from django.test import Client

from fangyi.portal import services
from fangyi.portal.auth import SESSION_KEY


@pytest.fixture
def sms_file(settings, tmp_path):
    """Texts go to a JSON-lines file the test reads, as a demo's would."""
    path = tmp_path / "sms.jsonl"
    settings.FANGYI_SMS_BACKEND = "file"
    settings.FANGYI_SMS_FILE = str(path)
    return path


def sent_to(path, phone: str) -> list[dict]:
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line["to"] == phone]


def last_code(path, phone: str) -> str:
    message = sent_to(path, phone)[-1]["message"]
    return re.search(r"(?<![0-9])[0-9]{6}(?![0-9])", message).group()


def resident_token(person) -> str:
    raw, _token = services.issue_token(person=person)
    return raw


def as_resident(person) -> Client:
    return Client(headers={"Authorization": f"Bearer {resident_token(person)}"})


def logged_in(person) -> Client:
    """A browser with the resident's portal session."""
    client = Client()
    session = client.session
    session[SESSION_KEY] = str(person.pk)
    session.save()
    return client


def post(client: Client, url: str, body):
    return client.post(url, body, content_type="application/json")
