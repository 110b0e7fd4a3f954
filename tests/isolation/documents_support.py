"""What the documents' tests need: orders in every state, written straight to the tables (the
order services are another part of the work, and a document reads only what an order holds),
and reading back what a printed document holds: its pages' text and its codes."""

import datetime
import io

import pypdf
from django.utils import timezone

from fangyi.codes import services as codes
from fangyi.health.models import Policy, QuarantineSetting
from fangyi.isolation.area import SITE_STAFF
from fangyi.isolation.models import Order, OrderReason, OrderState, Room, Site
from tests.factories import staff

STARTED = {
    OrderState.ACTIVE,
    OrderState.EXTENDED,
    OrderState.RELEASED,
    OrderState.HOSPITAL,
}


def site(region, *, name="东街隔离酒店", phone="0591-87654321") -> Site:
    return Site.objects.create(
        name=name, address="东街88号", region=region, region_path=region.path, phone=phone
    )


def room(site_: Site, number="301") -> Room:
    return Room.objects.create(site=site_, number=number, capacity=2)


def order(
    person,
    *,
    state=OrderState.ACTIVE,
    kind=QuarantineSetting.CENTRALISED,
    reason=OrderReason.CLOSE_CONTACT,
    site=None,
    room=None,
    term_days=7,
    test_days=(1, 3, 7),
    started_at=None,
    created_by=None,
) -> Order:
    now = timezone.now().replace(microsecond=0)
    started_at = started_at or now - datetime.timedelta(days=term_days)
    started = state in STARTED
    ended = state in (OrderState.RELEASED, OrderState.HOSPITAL, OrderState.CANCELLED)
    return Order.objects.create(
        person=person,
        household=person.household,
        region_path=person.region_path,
        kind=kind,
        reason=reason,
        policy=Policy.objects.in_force(),
        term_days=term_days,
        test_days=list(test_days),
        site=site,
        room=room,
        state=state,
        state_changed_at=now,
        created_at=started_at - datetime.timedelta(hours=3),
        started_at=started_at if started else None,
        planned_end_at=started_at + datetime.timedelta(days=term_days) if started else None,
        ended_at=now if ended else None,
        created_by=created_by,
    )


def read(pdf: bytes) -> tuple[list[str], list[str]]:
    """(the text of each page, the codes the metadata lists in page order)."""
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() for page in reader.pages]
    codes = str((reader.metadata or {}).get("/fangyicodes", "")).split(";")
    return pages, codes


def verified(text: str) -> dict:
    """The claims of a code, verified with the server's published keys and revocation list."""
    found = codes.verify_here(text)
    assert found.valid, found
    return found.claims


def site_staff(region):
    return staff(SITE_STAFF, region, username="site_staff")
