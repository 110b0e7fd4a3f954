"""What the briefing tests share: a day in the `city` fixture with figures that are not zero,
yesterday in Beijing at fixed hours, with its snapshot and the day before's taken, and the
text of a printed briefing.

In grid A two residents are found positive at 10:00 (in the community); in grid B person_b is
under a centralised order to place; a sealed zone over grid A starts that day at 09:00.
"""

import datetime
import io

from django.utils import timezone
from pypdf import PdfReader

from fangyi.command import services as command
from fangyi.health import services as health
from fangyi.health.models import Policy, Zone
from fangyi.isolation.models import Order, OrderState
from tests.factories import HouseholdFactory, PersonFactory


def beijing(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), timezone.get_current_timezone()
    )


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def counted_day(city, superuser) -> datetime.date:
    day = yesterday()
    command.take_snapshot(day=day - datetime.timedelta(days=1), now=beijing(day, 0))
    second = PersonFactory(household=HouseholdFactory(building=city.building_a, room="102"))
    Order.objects.create(
        person=city.person_b,
        household=city.person_b.household,
        region_path=city.person_b.region_path,
        kind="centralised",
        reason="close_contact",
        policy=Policy.objects.get(in_force=True),
        term_days=7,
        state=OrderState.TO_PLACE,
    )
    for person in (city.person_a, second):
        health.record_fact(
            actor=superuser,
            source="manual",
            person=person,
            kind="test_result",
            outcome="positive",
            variant="single",
            occurred_at=beijing(day, 10),
        )
    Zone.objects.create(
        kind="sealed",
        policy=Policy.objects.get(in_force=True),
        name="第一网格封控区",
        reason="病例居住地",
        starts_at=beijing(day, 9),
        region_path=city.grid_a.path,
    )
    command.take_snapshot(day=day, now=beijing(day, 23))
    return day


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def docx_rows(content: bytes) -> list[list[str]]:
    from docx import Document

    document = Document(io.BytesIO(content))
    return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


def docx_text(content: bytes) -> str:
    from docx import Document

    return "\n".join(paragraph.text for paragraph in Document(io.BytesIO(content)).paragraphs)
