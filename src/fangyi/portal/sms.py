"""Sending text messages, through the backend named by settings.FANGYI_SMS_BACKEND.

- "log" (the default): the message goes to the log (logger "fangyi.sms"), for development.
- "file": each message is appended as a JSON line {"to", "message", "sent_at"} to
  settings.FANGYI_SMS_FILE, for tests and demos.
- a dotted path to a class whose instances have `send(phone, message)`: a real SMS gateway.
"""

import json
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("fangyi.sms")


class LogBackend:
    def send(self, phone: str, message: str) -> None:
        logger.info("SMS to %s: %s", phone, message)


class FileBackend:
    def __init__(self):
        self.path = getattr(settings, "FANGYI_SMS_FILE", "")
        if not self.path:
            raise ImproperlyConfigured(
                'FANGYI_SMS_BACKEND is "file" but FANGYI_SMS_FILE names no file to write to.'
            )

    def send(self, phone: str, message: str) -> None:
        line = json.dumps(
            {"to": phone, "message": message, "sent_at": timezone.now().isoformat()},
            ensure_ascii=False,
        )
        # One write of a whole line in append mode: lines from several processes never mix.
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(line + "\n")


BACKENDS = {"log": LogBackend, "file": FileBackend}


def backend():
    name = getattr(settings, "FANGYI_SMS_BACKEND", "log") or "log"
    if name in BACKENDS:
        return BACKENDS[name]()
    try:
        cls = import_string(name)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f'FANGYI_SMS_BACKEND is "{name}": neither "log", "file" nor an importable class.'
        ) from exc
    return cls()


def send(phone: str, message: str) -> None:
    backend().send(phone, message)
