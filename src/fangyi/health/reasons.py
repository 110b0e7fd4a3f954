"""A reason as a resident reads it: its code, a Chinese and an English sentence, what it rests on.

Both sentences are stored with the status, so the portal, the API and a printed card say the
same thing whatever language the reader's session is in.
"""

import datetime
import uuid

from django.utils import timezone

from .rules import Reason, Rules

COLOUR_NAMES = {
    "green": ("绿码", "green"),
    "yellow": ("黄码", "yellow"),
    "orange": ("橙码", "orange"),
    "red": ("红码", "red"),
}
SETTING_NAMES = {
    "centralised": ("集中隔离", "centralised quarantine"),
    "home": ("居家隔离", "home quarantine"),
    "home_monitoring": ("居家健康监测", "home health monitoring"),
}
SENTENCES = {
    "case": (
        "确诊或疑似病例，治愈出院前为{colour_zh}。",
        "Confirmed or suspected case: {colour_en} until recovered.",
    ),
    "positive_test": (
        "单管核酸检测阳性，按疑似病例管理，治愈出院前为{colour_zh}。",
        "Positive single-tube test, managed as a suspected case: {colour_en} until recovered.",
    ),
    "close_contact_quarantine": (
        "密切接触者，集中隔离期至{until}。",
        "Close contact: centralised quarantine until {until}.",
    ),
    "close_contact_monitoring": (
        "密切接触者，居家健康监测期至{until}。",
        "Close contact: home health monitoring until {until}.",
    ),
    "secondary_contact": (
        "次密切接触者，居家隔离期至{until}。",
        "Secondary contact: home quarantine until {until}.",
    ),
    "quarantine": ("正在{setting_zh}。", "In {setting_en}."),
    "pooled_positive": (
        "所在混管检测阳性，单管复核阴性后转码。",
        "Member of a positive pooled tube: changes after a negative single-tube retest.",
    ),
    "arrival": (
        "来自风险地区，需{tests}次间隔至少{hours}小时的核酸阴性结果。",
        "Arrived from a risk area: needs {tests} negative tests at least {hours} h apart.",
    ),
    "fever_clinic": (
        "发热门诊就诊，就诊后核酸检测阴性即转码。",
        "Fever clinic visit: changes after a negative test taken since.",
    ),
    "zone": ("居住在{zone_name}（{kind_zh}）。", "Lives in {zone_name} ({kind_en})."),
    "manual": (
        "人工判定（已经第二人审批）：{note}，有效至{until}。",
        "Manual decision (approved by a second officer): {note}; until {until}.",
    ),
}


def _local(moment: float | None) -> str:
    if moment is None:
        return ""
    value = datetime.datetime.fromtimestamp(moment, tz=datetime.UTC)
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _id(value) -> str:
    # SQLite hands ids over as 32 hex digits, PostgreSQL as text with dashes: one form out.
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def describe(reason: Reason, rules: Rules, *, zones: dict | None = None, note: str = "") -> dict:
    code = reason.code
    values = {
        "colour_zh": COLOUR_NAMES[reason.colour][0],
        "colour_en": COLOUR_NAMES[reason.colour][1],
        "until": _local(reason.until),
        "tests": rules.arrival_tests,
        "hours": int(rules.arrival_gap // 3600),
        "note": note,
    }
    template = code
    if code.startswith("quarantine_"):
        template = "quarantine"
        setting = SETTING_NAMES.get(code.removeprefix("quarantine_"), (code, code))
        values["setting_zh"], values["setting_en"] = setting
    if code == "zone":
        zone = (zones or {}).get(reason.zone)
        kind = rules.zone_kinds.get(zone.kind, {}) if zone else {}
        values["zone_name"] = zone.name if zone else ""
        values["kind_zh"] = kind.get("name", "")
        values["kind_en"] = kind.get("name_en", "")
    zh, en = SENTENCES[template]
    described = {
        "code": code,
        "colour": reason.colour,
        "zh": zh.format(**values),
        "en": en.format(**values),
        "facts": [_id(fact_id) for fact_id in reason.facts],
        "zone": _id(reason.zone) if reason.zone is not None else None,
        "until": values["until"] or None,
    }
    return described
