"""Reading the texts the file SMS backend wrote (the `sms_file` fixture)."""

import json
import re


def sent_to(path, phone: str) -> list[dict]:
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line["to"] == phone]


def last_code(path, phone: str) -> str:
    message = sent_to(path, phone)[-1]["message"]
    return re.search(r"(?<![0-9])[0-9]{6}(?![0-9])", message).group()
