"""A sweep's question set, kept as data on the sweep: the sections asked at every door, with
their choices frozen when the sweep starts (the risk levels of the plan then in force, the
special-needs tags, the symptoms), so that a phone that downloaded the sheet asks what the
server will read, whatever changes later."""

from django.utils.translation import gettext_lazy as _

from fangyi.health.models import Policy
from fangyi.people.models import TAG_FIELDS, TAG_LABELS

MEMBERS, ARRIVAL, HEALTH, NEEDS = "members", "arrival", "health", "needs"
SECTIONS = {
    MEMBERS: _("现住人员：核实台账成员、登记新来人员、标记外出"),
    ARRIVAL: _("近期返回：从哪里、何时返回"),
    HEALTH: _("体温与症状"),
    NEEDS: _("特殊需求"),
}
SYMPTOMS = ["发热", "咳嗽", "咽痛", "乏力", "腹泻", "嗅觉味觉减退"]
# A temperature at or above this, or any symptom, is fever for the sweep.
FEVER_FROM = 37.3
# The choice of a trip from somewhere that is no risk area of the plan.
NO_RISK = "none"


def risk_levels(policy: Policy) -> list[dict]:
    """The zone kinds of the plan that colour a resident: where an arrival is "from a risk
    area". Their names in both languages, as the plan gives them."""
    return [
        {"code": kind["code"], "name": kind["name"], "name_en": kind.get("name_en", "")}
        for kind in policy.parameters.get("zone_kinds", [])
        if kind.get("colour")
    ]


def build(sections: list[str], policy: Policy) -> list[dict]:
    """The question set of a new sweep: the sections chosen, in their fixed order."""
    chosen = [name for name in SECTIONS if name in sections]
    questions: list[dict] = []
    for name in chosen:
        question: dict = {"key": name, "label": str(SECTIONS[name])}
        if name == ARRIVAL:
            question["choices"] = [
                *risk_levels(policy),
                {"code": NO_RISK, "name": "非风险地区", "name_en": "Not a risk area"},
            ]
        elif name == HEALTH:
            question["symptoms"] = list(SYMPTOMS)
            question["fever_from"] = FEVER_FROM
        elif name == NEEDS:
            question["choices"] = [
                {"code": slug, "name": str(TAG_LABELS[slug])} for slug in TAG_FIELDS
            ]
        questions.append(question)
    return questions


def keys(questions: list[dict]) -> set[str]:
    return {question["key"] for question in questions}


def risk_codes(questions: list[dict]) -> dict[str, str]:
    """The arrival choices of a sweep that are risk areas: code -> name."""
    for question in questions:
        if question["key"] == ARRIVAL:
            return {c["code"]: c["name"] for c in question["choices"] if c["code"] != NO_RISK}
    return {}
