"""The prevention plans of docs/domain.md as data. Rules read these parameters; nothing is hard-coded.

Durations are in days and hours; a colour of None means the rule does not colour anyone under
that plan (e.g. secondary contacts were no longer traced under the 20 measures).

The isolation terms (isolation/rules.py) are read from the same sections: for close contacts,
secondary contacts, arrivals from risk areas and recovered cases, `quarantine_kind`
(centralised, home or home_monitoring), `quarantine_days` and `quarantine_test_days` (days of
the term, day 1 being the first); `next_stage` on close contacts says that the monitoring term
(`monitoring_days`, `monitoring_test_days`) follows the quarantine as an order of its own.
"""

import datetime

PRESETS = [
    {
        "code": "2022-03",
        "name": "2022年3月防控方案（封控区/管控区/防范区）",
        "name_en": "March 2022 plan (sealed / controlled / precaution zones)",
        "effective_from": datetime.date(2022, 3, 1),
        "parameters": {
            "colours": ["green", "yellow", "orange", "red"],
            "case": {"colour": "red"},
            "close_contact": {
                "quarantine_days": 14,
                "quarantine_colour": "orange",
                "quarantine_test_days": [1, 4, 7, 14],
                "monitoring_days": 7,
                "monitoring_colour": "yellow",
                "monitoring_test_days": [2, 7],
                "quarantine_kind": "centralised",
                "next_stage": True,
            },
            "secondary_contact": {
                "quarantine_days": 7,
                "quarantine_colour": "yellow",
                "quarantine_test_days": [1, 4, 7],
                "quarantine_kind": "centralised",
            },
            "pooled_positive": {"colour": "yellow"},
            "arrival": {
                "colour": "yellow",
                "negative_tests": 2,
                "hours_apart": 24,
                "quarantine_kind": "home",
                "quarantine_days": 14,
                "quarantine_test_days": [1, 4, 7, 14],
            },
            "recovered": {
                "quarantine_kind": "home",
                "quarantine_days": 14,
                "quarantine_test_days": [7, 14],
            },
            "fever_clinic": {"colour": "yellow"},
            "quarantine": {"centralised": "orange", "home": "yellow", "home_monitoring": "yellow"},
            "zone_kinds": [
                {
                    "code": "sealed",
                    "name": "封控区",
                    "name_en": "Sealed zone",
                    "colour": "orange",
                    "obligations": "足不出户，上门服务",
                    "obligations_en": "Nobody leaves home; services come to the door.",
                    "lift": {"clean_days": 14, "negative_round_days": 2},
                },
                {
                    "code": "controlled",
                    "name": "管控区",
                    "name_en": "Controlled zone",
                    "colour": "yellow",
                    "obligations": "人不出区，严禁聚集",
                    "obligations_en": "Nobody leaves the area; no gatherings.",
                    "lift": {"clean_days": 14, "negative_round_days": 2},
                },
                {
                    "code": "precaution",
                    "name": "防范区",
                    "name_en": "Precaution zone",
                    "colour": None,
                    "obligations": "强化社会面管控，严格限制聚集",
                    "obligations_en": "Stricter control of public places; gatherings limited.",
                    "lift": {"clean_days": 0, "negative_round_days": 0},
                },
            ],
        },
    },
    {
        "code": "2022-06-9th",
        "name": "第九版防控方案（高/中/低风险区）",
        "name_en": "9th edition (high / medium / low risk areas)",
        "effective_from": datetime.date(2022, 6, 28),
        "parameters": {
            "colours": ["green", "yellow", "red"],
            "case": {"colour": "red"},
            "close_contact": {
                "quarantine_days": 7,
                "quarantine_colour": "red",
                "quarantine_test_days": [1, 2, 3, 5, 7],
                "monitoring_days": 3,
                "monitoring_colour": "yellow",
                "monitoring_test_days": [3],
                "quarantine_kind": "centralised",
                "next_stage": True,
            },
            "secondary_contact": {
                "quarantine_days": 7,
                "quarantine_colour": "yellow",
                "quarantine_test_days": [1, 4, 7],
                "quarantine_kind": "home",
            },
            "pooled_positive": {"colour": "yellow"},
            "arrival": {
                "colour": "yellow",
                "negative_tests": 2,
                "hours_apart": 24,
                "quarantine_kind": "home",
                "quarantine_days": 7,
                "quarantine_test_days": [1, 4, 7],
            },
            "recovered": {
                "quarantine_kind": "home_monitoring",
                "quarantine_days": 7,
                "quarantine_test_days": [3, 7],
            },
            "fever_clinic": {"colour": "yellow"},
            "quarantine": {"centralised": "red", "home": "yellow", "home_monitoring": "yellow"},
            "zone_kinds": [
                {
                    "code": "high",
                    "name": "高风险区",
                    "name_en": "High-risk area",
                    "colour": "red",
                    "obligations": "足不出户，上门服务",
                    "obligations_en": "Nobody leaves home; services come to the door.",
                    "lift": {"clean_days": 7, "negative_round_days": 1, "becomes": "medium"},
                },
                {
                    "code": "medium",
                    "name": "中风险区",
                    "name_en": "Medium-risk area",
                    "colour": "yellow",
                    "obligations": "人不出区，错峰取物",
                    "obligations_en": "Nobody leaves the area; collect goods at staggered times.",
                    "lift": {"clean_days": 7, "negative_round_days": 0, "after_lowering_days": 3},
                },
                {
                    "code": "low",
                    "name": "低风险区",
                    "name_en": "Low-risk area",
                    "colour": None,
                    "obligations": "个人防护，避免聚集",
                    "obligations_en": "Personal protection; avoid gatherings.",
                    "lift": {"clean_days": 0, "negative_round_days": 0},
                },
            ],
        },
    },
    {
        "code": "2022-11-20m",
        "name": "二十条优化措施（高/低风险区）",
        "name_en": "The 20 measures (high / low risk areas)",
        "effective_from": datetime.date(2022, 11, 11),
        "parameters": {
            "colours": ["green", "yellow", "red"],
            "case": {"colour": "red"},
            "close_contact": {
                "quarantine_days": 5,
                "quarantine_colour": "red",
                "quarantine_test_days": [1, 2, 3, 5],
                "monitoring_days": 3,
                "monitoring_colour": "yellow",
                "monitoring_test_days": [1, 3],
                "quarantine_kind": "centralised",
                "next_stage": True,
            },
            "secondary_contact": None,
            "pooled_positive": {"colour": "yellow"},
            "arrival": {
                "colour": "yellow",
                "negative_tests": 2,
                "hours_apart": 24,
                "quarantine_kind": "home",
                "quarantine_days": 5,
                "quarantine_test_days": [1, 3, 5],
            },
            "recovered": {
                "quarantine_kind": "home_monitoring",
                "quarantine_days": 5,
                "quarantine_test_days": [3, 5],
            },
            "fever_clinic": {"colour": "yellow"},
            "quarantine": {"centralised": "red", "home": "yellow", "home_monitoring": "yellow"},
            "zone_kinds": [
                {
                    "code": "high",
                    "name": "高风险区",
                    "name_en": "High-risk area",
                    "colour": "red",
                    "obligations": "足不出户，上门服务",
                    "obligations_en": "Nobody leaves home; services come to the door.",
                    "lift": {"clean_days": 5, "negative_round_days": 0},
                },
                {
                    "code": "low",
                    "name": "低风险区",
                    "name_en": "Low-risk area",
                    "colour": None,
                    "obligations": "个人防护，避免聚集",
                    "obligations_en": "Personal protection; avoid gatherings.",
                    "lift": {"clean_days": 0, "negative_round_days": 0},
                },
            ],
        },
    },
]
DEFAULT_IN_FORCE = "2022-06-9th"


def install_presets(*, using="default", **kwargs) -> None:
    """Creates each shipped plan that is missing, and puts the default in force if none is."""
    from .models import Policy

    for preset in PRESETS:
        Policy.objects.using(using).get_or_create(
            code=preset["code"],
            version=1,
            defaults={k: v for k, v in preset.items() if k != "code"},
        )
    policies = Policy.objects.using(using)
    if not policies.filter(in_force=True).exists():
        policies.filter(code=DEFAULT_IN_FORCE, version=1).update(in_force=True)
