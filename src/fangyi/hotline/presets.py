"""The category tree every installation starts with, as post_migrate loads it.

Each category has a kind, which sets its limit (clock.py): an emergency is due the same day,
a request for help within 3 working days, a complaint within 13 (the 12345 platforms' usual
limits). A category may set its own: the red/yellow-code hospital line is due within 30
minutes of the call, wall-clock. Psychological help is confidential: only operators and the
unit handling a ticket see it. Administrators may add categories and change limits; a preset
that exists is left as it is.
"""

EMERGENCY, HELP, COMPLAINT = "emergency", "help", "complaint"

# code, parent code, name, kind, wall-clock minutes, working days, confidential
CATEGORIES = [
    ("medical", "", "就医和购药", EMERGENCY, None, None, False),
    ("hospital_line", "medical", "红黄码就医专线", EMERGENCY, 30, None, False),
    ("medicines", "medical", "购药和慢病用药", EMERGENCY, None, None, False),
    ("food", "", "食品和生活物资", HELP, None, None, False),
    ("passes", "", "通行和出行", HELP, None, None, False),
    ("return_to_work", "", "复工复产", HELP, None, None, False),
    ("quarantine", "", "隔离和管控区域", HELP, None, None, False),
    ("quarantine_complaint", "quarantine", "对管控措施的投诉", COMPLAINT, None, None, False),
    ("testing", "", "核酸检测", HELP, None, None, False),
    ("health_code", "", "健康码纠错", HELP, None, None, False),
    ("utilities", "", "供暖、供水、供电", HELP, None, None, False),
    ("psychological", "", "心理援助", EMERGENCY, None, None, True),
    ("other", "", "其他", HELP, None, None, False),
    ("other_complaint", "other", "其他投诉", COMPLAINT, None, None, False),
]


def install_presets(*, using="default", **kwargs) -> None:
    """Creates the preset categories that are missing, parents first."""
    from .models import Category

    categories = Category.objects.using(using)
    made: dict[str, Category] = {}
    for order, (code, parent, name, kind, minutes, days, confidential) in enumerate(CATEGORIES):
        made[code], _created = categories.get_or_create(
            code=code,
            defaults={
                "name": name,
                "parent": made.get(parent),
                "kind": kind,
                "limit_minutes": minutes,
                "limit_working_days": days,
                "confidential": confidential,
                "order": order * 10,
            },
        )
