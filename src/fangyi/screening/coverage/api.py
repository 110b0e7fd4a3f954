"""Coverage of a round ("no one missed"), under /api/v1/screening: counts per region, the
persons not sampled yet, and home-sampling tasks for those who cannot come to a site.

A round of a campaign the caller cannot see is 404. A region that does not exist, lies outside
the caller's scope or outside the campaign is an error in the `region` field (422). Counts
are at most `coverage.CACHE_SECONDS` old; the missing list is current. Names are masked.
"""

import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import VIEW, can
from fangyi.core.schemas import ERROR_RESPONSES, PageParams, Text
from fangyi.people.models import Person
from fangyi.regions.models import Level, Region
from fangyi.screening.area import CAMPAIGN
from fangyi.screening.coverage import services as coverage
from fangyi.screening.models import Round

router = Router(tags=["screening"])

MISSING_ORDERING = ("region_path", "id")


def _round(user, round_id: str) -> Round:
    return get_by_id(coverage.visible_rounds(user), round_id)


def _region(user, round: Round, code: str | None) -> Region | None:
    """The region `code` names, or None when none is named."""
    if not code:
        return None
    return _named_region(user, round, code)


def _named_region(user, round: Round, code: str) -> Region:
    """The region `code` names (an empty code names none), if the user may see its coverage."""
    region = Region.objects.restrict(user, VIEW).filter(code=code).first()
    if region is None or not can(user, CAMPAIGN, VIEW, region.path):
        raise ValidationError({"region": _("没有这个区域，或其不在您的辖区内。")})
    coverage.check_region(round, user, region)
    return region


class CoverageParams(Schema):
    region: Text | None = Field(
        None,
        max_length=18,
        description="code of the region to start from; default the caller's top regions of "
        "the campaign",
    )
    depth: int = Field(
        1, ge=0, le=Level.BUILDING - Level.PROVINCE, description="levels below it; 0: it alone"
    )


class CoverageRowRead(Schema):
    code: str
    name: str
    level: int = Field(description="1 province … 7 building")
    parent: str | None = Field(description="the parent's code; null for the top rows")
    expected: int
    sampled: int
    resulted: int = Field(description="sampled persons with a negative or positive result")
    positive: int
    missing: int = Field(description="expected − sampled")
    percent: float | None = Field(description="sampled / expected × 100; null if none expected")


class CoverageRead(Schema):
    round: uuid.UUID
    campaign: uuid.UUID
    number: int
    region: str | None
    rows: list[CoverageRowRead]


@router.get("/rounds/{round_id}/coverage", response={200: CoverageRead, **ERROR_RESPONSES})
def round_coverage(request, round_id: str, params: Query[CoverageParams]):
    """Expected, sampled, results back and positive per region, in tree order (a row before
    its children): the region and `depth` levels below it."""
    round = _round(request.auth, round_id)
    region = _region(request.auth, round, params.region)
    rows = coverage.round_coverage(round, user=request.auth, region=region, depth=params.depth)
    return {
        "round": round.pk,
        "campaign": round.campaign_id,
        "number": round.number,
        "region": region.code if region else None,
        "rows": [
            {
                "code": row.code,
                "name": row.name,
                "level": row.level,
                "parent": row.parent,
                "expected": row.expected,
                "sampled": row.sampled,
                "resulted": row.resulted,
                "positive": row.positive,
                "missing": row.missing,
                "percent": row.percent,
            }
            for row in rows
        ],
    }


class MissingParams(PageParams):
    region: Text = Field(max_length=18, description="code of the region (down to a building)")


class MissingPersonRead(Schema):
    id: uuid.UUID
    name: str = Field(description="masked")
    id_tail: str = Field(description="the ID number's last four characters")
    phone: str = Field(description="masked")
    age: int
    household: uuid.UUID
    address: str = Field(description="building, unit and room")
    building: str = Field(description="the building's code")
    building_name: str
    tags: list[str]
    tag_labels: list[str]

    @staticmethod
    def resolve_name(person: Person) -> str:
        return person.masked_name

    @staticmethod
    def resolve_phone(person: Person) -> str:
        return person.masked_phone

    @staticmethod
    def resolve_age(person: Person) -> int:
        return person.age()

    @staticmethod
    def resolve_household(person: Person) -> uuid.UUID:
        return person.household_id

    @staticmethod
    def resolve_address(person: Person) -> str:
        return person.household.short_address

    @staticmethod
    def resolve_building(person: Person) -> str:
        return person.household.building.code

    @staticmethod
    def resolve_building_name(person: Person) -> str:
        return person.household.building.name


class MissingPage(Schema):
    items: list[MissingPersonRead]
    next_cursor: str | None


@router.get("/rounds/{round_id}/missing", response={200: MissingPage, **ERROR_RESPONSES})
def missing_persons(request, round_id: str, params: Query[MissingParams]):
    """Expected persons under the region not sampled yet in the round (an invalid tube does
    not count), by building; keyset pages."""
    round = _round(request.auth, round_id)
    region = _named_region(request.auth, round, params.region)
    persons = coverage.missing_persons(round, user=request.auth, region=region)
    items, next_cursor = page_of(persons, ordering=MISSING_ORDERING, page=params)
    return {"items": items, "next_cursor": next_cursor}


class HomeTaskParams(Schema):
    region: Text | None = Field(
        None, max_length=18, description="code of a region; default wherever the caller leads"
    )


class HomeTaskCountsRead(Schema):
    eligible: int = Field(description="missing persons to be sampled at home")
    created: int = Field(description="tasks created now")
    existing: int = Field(description="tasks created by an earlier run")


@router.post("/rounds/{round_id}/home-tasks", response={200: HomeTaskCountsRead, **ERROR_RESPONSES})
def home_tasks(request, round_id: str, params: Query[HomeTaskParams]):
    """Home-sampling tasks for the missing persons who are bedridden, disabled, elderly living
    alone or in quarantine: once per person and round, for grid leaders and officers above."""
    round = _round(request.auth, round_id)
    region = _region(request.auth, round, params.region)
    counts = coverage.create_home_sampling_tasks(actor=request.auth, round=round, region=region)
    return {"eligible": counts.eligible, "created": counts.created, "existing": counts.existing}
