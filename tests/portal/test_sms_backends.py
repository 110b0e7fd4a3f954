"""The pluggable SMS backends: log (default), file (JSON lines), or a class by dotted path."""

import json
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from fangyi.portal import sms

SENT: list[tuple[str, str]] = []


class Recorder:
    """A stand-in gateway, named by its dotted path in the settings."""

    def send(self, phone: str, message: str) -> None:
        SENT.append((phone, message))


def test_the_default_backend_writes_to_the_log(settings, caplog):
    settings.FANGYI_SMS_BACKEND = "log"

    with caplog.at_level(logging.INFO, logger="fangyi.sms"):
        sms.send("13800000001", "验证码 123456")

    [record] = [r for r in caplog.records if r.name == "fangyi.sms"]
    assert "13800000001" in record.getMessage() and "123456" in record.getMessage()


def test_the_file_backend_appends_json_lines(settings, tmp_path):
    path = tmp_path / "sms.jsonl"
    settings.FANGYI_SMS_BACKEND = "file"
    settings.FANGYI_SMS_FILE = str(path)

    sms.send("13800000001", "第一条")
    sms.send("13900000002", "第二条")

    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(line["to"], line["message"]) for line in lines] == [
        ("13800000001", "第一条"),
        ("13900000002", "第二条"),
    ]
    assert all(line["sent_at"] for line in lines)
    assert "第一条" in path.read_text(encoding="utf-8")


def test_the_file_backend_without_a_file_is_a_configuration_error(settings):
    settings.FANGYI_SMS_BACKEND = "file"
    settings.FANGYI_SMS_FILE = ""

    with pytest.raises(ImproperlyConfigured, match="FANGYI_SMS_FILE"):
        sms.send("13800000001", "x")


def test_a_backend_class_by_dotted_path(settings):
    settings.FANGYI_SMS_BACKEND = "tests.portal.test_sms_backends.Recorder"
    SENT.clear()

    sms.send("13800000001", "hello")

    assert SENT == [("13800000001", "hello")]


def test_an_unknown_backend_is_a_configuration_error(settings):
    settings.FANGYI_SMS_BACKEND = "nowhere.Gateway"

    with pytest.raises(ImproperlyConfigured, match="nowhere.Gateway"):
        sms.send("13800000001", "x")
