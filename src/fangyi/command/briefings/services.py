"""Making, listing and reading briefings, and the template of their text.

A briefing reads the command board (`command.services.board`) for its region and day, so its
figures are the screen's; the morning's briefing reports the day before, read from that day's
snapshot, which later edits do not change.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fangyi.core.audit import record_created, record_updated
from fangyi.core.permissions import ADD, CHANGE, VIEW, can, require
from fangyi.regions.models import Level, Region

from .. import services as command
from .area import BRIEFING_TEMPLATE, BRIEFINGS
from .content import TemplateRefused, gather, render_text, sample_context
from .models import Briefing, BriefingTemplate
from .preset import PRESET
from .rendering import docx, pdf

LEVELS = (Level.CITY, Level.DISTRICT)
TEMPLATE_KEY = "default"
AUDITED = ["region_path", "day", "generated_at"]


@dataclass(frozen=True)
class ScheduledRun:
    """The actor of the morning job: no one logged in, allowed what the job does everywhere;
    audit rows name the job (`via`) rather than a user."""

    is_superuser: bool = True
    is_active: bool = True
    is_authenticated: bool = False
    pk: None = None


SCHEDULED = ScheduledRun()


def briefing_hour() -> int:
    return int(settings.FANGYI_BRIEFING_HOUR)


def briefings_for(user) -> QuerySet[Briefing]:
    return Briefing.objects.restrict(user, VIEW).select_related("region").defer("pdf", "docx")


def regions_for(user) -> list[Region]:
    """The regions (cities and districts, a few dozen) the user may make briefings for."""
    return [region for region in morning_regions() if can(user, BRIEFINGS, ADD, region.path)]


def template_text() -> str:
    row = BriefingTemplate.objects.filter(key=TEMPLATE_KEY).first()
    return row.text if row is not None else PRESET


def check_template(text: str) -> None:
    """ValidationError on `text` when it does not render to a briefing."""
    if not text.strip():
        raise ValidationError({"text": _("请填写模板。")})
    try:
        with translation.override(settings.LANGUAGE_CODE):
            render_text(text, sample_context())
    except TemplateRefused as refused:
        raise ValidationError({"text": str(refused)}) from refused


def save_template(*, actor, text: str) -> BriefingTemplate:
    require(actor, BRIEFING_TEMPLATE, CHANGE)
    check_template(text)
    with transaction.atomic():
        row = BriefingTemplate.objects.select_for_update().filter(key=TEMPLATE_KEY).first()
        now = timezone.now()
        if row is None:
            row = BriefingTemplate.objects.create(
                key=TEMPLATE_KEY, text=text, updated_at=now, updated_by=_user(actor)
            )
            record_created(actor=actor, obj=row, fields=["text"])
        else:
            before = {"text": row.text}
            row.text, row.updated_at, row.updated_by = text, now, _user(actor)
            row.save(update_fields=["text", "updated_at", "updated_by"])
            record_updated(actor=actor, obj=row, before=before, after={"text": text})
    return row


def preview(*, actor, text: str) -> list:
    """The blocks `text` renders to with sample figures, or ValidationError."""
    require(actor, BRIEFING_TEMPLATE, CHANGE)
    check_template(text)
    with translation.override(settings.LANGUAGE_CODE):
        return render_text(text, sample_context())


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def generate(*, actor, region: Region, day: datetime.date) -> Briefing:
    """The region's briefing of `day`, made anew (the day's earlier one is replaced)."""
    require(actor, BRIEFINGS, ADD, region.path)
    if region.level not in LEVELS:
        raise ValidationError({"region": _("简报只为市和区县生成。")})
    if day > command.today():
        raise ValidationError({"day": _("日期不能晚于今天。")})
    # A document in the city's language, whoever asks for it.
    with translation.override(settings.LANGUAGE_CODE):
        board = command.board(user=actor, region=region, day=day)
        content = gather(board=board, template_text=template_text())
        printed_pdf, printed_docx = pdf(content), docx(content)
    figures = {
        line.key: {
            "name": line.name,
            "unit": line.unit,
            "value": item.value,
            "previous": item.previous,
            "change": item.change,
        }
        for line, item in zip(content.lines, board.values, strict=True)
    }
    now = timezone.now()
    with transaction.atomic():
        briefing = Briefing.objects.select_for_update().filter(region=region, day=day).first()
        if briefing is None:
            briefing = Briefing.objects.create(
                region=region,
                region_path=region.path,
                day=day,
                generated_at=now,
                generated_by=_user(actor),
                figures=figures,
                pdf=printed_pdf,
                docx=printed_docx,
            )
            record_created(actor=actor, obj=briefing, fields=AUDITED)
        else:
            before = {"generated_at": briefing.generated_at.isoformat()}
            briefing.generated_at, briefing.generated_by = now, _user(actor)
            briefing.figures, briefing.pdf, briefing.docx = figures, printed_pdf, printed_docx
            briefing.save()
            record_updated(
                actor=actor, obj=briefing, before=before, after={"generated_at": now.isoformat()}
            )
    return briefing


def morning_regions() -> QuerySet[Region]:
    return Region.objects.filter(level__in=LEVELS).order_by("path")


def generate_due(*, now: datetime.datetime | None = None) -> int:
    """From the configured hour (Beijing time) on, the briefing of yesterday for the city and
    every district that has none yet. Returns how many were made."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < briefing_hour():
        return 0
    day = local.date() - datetime.timedelta(days=1)
    done = set(Briefing.objects.filter(day=day).values_list("region_id", flat=True))
    made = 0
    for region in morning_regions():
        if region.pk in done:
            continue
        generate(actor=SCHEDULED, region=region, day=day)
        made += 1
    return made


def file_of(briefing: Briefing, kind: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the briefing's PDF or Word file."""
    stem = f"briefing-{briefing.region.code}-{briefing.day.isoformat()}"
    if kind == "pdf":
        return bytes(Briefing.objects.get(pk=briefing.pk).pdf), "application/pdf", f"{stem}.pdf"
    return (
        bytes(Briefing.objects.get(pk=briefing.pk).docx),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"{stem}.docx",
    )
