"""Mass screening: campaigns, their rounds and sites, samples from sampling devices, tubes, and
pool-size advice.

A caller sees the campaigns whose regions overlap theirs. As elsewhere, a region, site or
person named in a body that the caller cannot see is an error in that field (422); an object in
the URL that the caller cannot see is 404. Devices upload samples in batches of up to 10,000
tubes; an error names the item (`samples.3.persons.2`), and the whole batch is refused.
"""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.masking import mask_name
from fangyi.core.permissions import ADD, VIEW, require
from fangyi.core.schemas import ERROR_RESPONSES, Input, Moment, Text
from fangyi.people.models import Person
from fangyi.screening import common
from fangyi.screening.area import SAMPLE
from fangyi.screening.models import MAX_POOL_SIZE, Campaign, Sample, SamplingSite, Tube
from fangyi.screening.sampling import batches, screen
from fangyi.screening.sampling import services as sampling_services

MAX_SAMPLE_ITEMS = 10_000
# A display or card code is a few hundred characters; anything much longer is not one.
MAX_CODE = 2000

router = Router(tags=["screening"])
REPEAT_DESCRIPTION = (
    "the sampler confirms sampling again someone sampled in this round already; without it "
    "such a person is refused with a 422 whose field is confirm_repeat, naming when and which tube"
)


# Samples and tubes


class SampleItem(Input):
    tube: Text = Field(max_length=32, description="the tube's barcode")
    persons: list[uuid.UUID] = Field(min_length=1, max_length=MAX_POOL_SIZE)
    site: uuid.UUID
    sampled_at: Moment
    pool_size: int | None = Field(
        None, ge=1, le=MAX_POOL_SIZE, description="for a new tube; default the campaign's"
    )


class SampleBatch(Input):
    samples: list[SampleItem] = Field(min_length=1, max_length=MAX_SAMPLE_ITEMS)


class SampleCounts(Schema):
    received: int = Field(description="samples in the batch: one per person per item")
    new: int = Field(description="how many were not stored before")


@router.post("/samples", response={201: SampleCounts, **ERROR_RESPONSES})
def upload_samples(request, payload: SampleBatch):
    """Stores a sampling device's tubes; samples already stored are counted, not refused."""
    user = request.auth
    require(user, SAMPLE, ADD)
    wanted = {item.site for item in payload.samples}
    sites = SamplingSite.objects.restrict(user, VIEW).in_bulk(wanted)
    errors = {
        f"samples.{index}.site": [_("没有这个采样点，或其不在您的辖区内。")]
        for index, item in enumerate(payload.samples)
        if item.site not in sites
    }
    if errors:
        raise ValidationError(errors)
    items = [
        batches.SampleInput(
            tube=item.tube,
            persons=item.persons,
            site=sites[item.site],
            sampled_at=item.sampled_at,
            pool_size=item.pool_size,
        )
        for item in payload.samples
    ]
    try:
        received, new = batches.record_samples(actor=user, items=items)
    except ValidationError as exc:
        raise ValidationError(
            {
                field if field == "samples" else f"samples.{field}": messages
                for field, messages in exc.message_dict.items()
            }
        ) from exc
    return Status(201, {"received": received, "new": new})


class MemberRead(Schema):
    person: uuid.UUID
    name: str = Field(description="masked")
    sampled_at: datetime.datetime


class TubeRead(Schema):
    barcode: str
    campaign: uuid.UUID
    round: int = Field(description="the round's number")
    site: uuid.UUID
    site_name: str
    pool_size: int
    kind: str
    state: str
    state_name: str
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    members: list[MemberRead]

    @staticmethod
    def resolve_campaign(tube: Tube) -> uuid.UUID:
        return tube.round.campaign_id

    @staticmethod
    def resolve_round(tube: Tube) -> int:
        return tube.round.number

    @staticmethod
    def resolve_site(tube: Tube) -> uuid.UUID:
        return tube.site_id

    @staticmethod
    def resolve_site_name(tube: Tube) -> str:
        return tube.site.name

    @staticmethod
    def resolve_state_name(tube: Tube) -> str:
        return str(tube.get_state_display())

    @staticmethod
    def resolve_members(tube: Tube) -> list[dict]:
        return [
            {"person": s.person_id, "name": mask_name(s.person.name), "sampled_at": s.sampled_at}
            for s in tube.samples.all()
        ]


@router.get("/tubes/{barcode}", response={200: TubeRead, **ERROR_RESPONSES})
def get_tube(request, barcode: str):
    """A tube by its barcode, with its members' masked names, in the order they were sampled."""
    if not common.BARCODE.fullmatch(barcode):
        raise Tube.DoesNotExist
    return (
        Tube.objects.restrict(request.auth, VIEW)
        .select_related("round", "site")
        .prefetch_related(
            Prefetch(
                "samples",
                queryset=Sample.objects.select_related("person").order_by("sampled_at", "id"),
            )
        )
        .get(barcode=barcode)
    )


# The sampling screen: one scan, one request


class TubeOpen(Input):
    barcode: Text = Field(max_length=32, description="the tube's barcode")
    site: uuid.UUID
    pool_size: int | None = Field(
        None,
        ge=1,
        le=MAX_POOL_SIZE,
        description="default: what the first person needs (one in quarantine, the household "
        "in a sealed zone), else the campaign's default",
    )
    code: Text | None = Field(
        None, max_length=MAX_CODE, description="the first person's scanned FY1 code"
    )
    person: uuid.UUID | None = Field(None, description="or the first person, chosen in a search")
    confirm_repeat: bool = Field(False, description=REPEAT_DESCRIPTION)


class SampleAdd(Input):
    code: Text | None = Field(None, max_length=MAX_CODE, description="a scanned FY1 code")
    person: uuid.UUID | None = Field(None, description="or a person chosen in a search")
    confirm_repeat: bool = Field(False, description=REPEAT_DESCRIPTION)


def _sampling_site(user, site_id: uuid.UUID) -> SamplingSite:
    site = (
        SamplingSite.objects.restrict(user, VIEW)
        .select_related("campaign")
        .filter(pk=site_id)
        .first()
    )
    if site is None:
        raise ValidationError({"site": _("没有这个采样点，或其不在您的辖区内。")})
    screen.require_sampler(user, site)
    return site


def _one_person(user, campaign: Campaign, payload) -> Person | None:
    if payload.code and payload.person:
        raise ValidationError({"person": _("请扫描健康码，或选择一位居民，不要同时提供。")})
    if payload.person is None:
        return None
    return screen.resident_by_id(user, campaign, payload.person)


def _tube_card(user, barcode: str) -> Tube:
    return screen.tubes_with_members(user).get(barcode=barcode)


def _sampling_tube(user, barcode: str) -> Tube:
    if not common.BARCODE.fullmatch(barcode):
        raise Tube.DoesNotExist
    tube = (
        Tube.objects.restrict(user, VIEW)
        .select_related("site__campaign", "round")
        .get(barcode=barcode)
    )
    screen.require_sampler(user, tube.site)
    return tube


@router.post("/tubes", response={201: TubeRead, **ERROR_RESPONSES})
def open_tube(request, payload: TubeOpen):
    """Opens a tube at one of the sampler's sites, in the round running there, and puts the
    first person in it when one is given; a refused first person leaves no tube behind."""
    user = request.auth
    site = _sampling_site(user, payload.site)
    tube = screen.start_tube(
        actor=user,
        barcode=payload.barcode,
        site=site,
        pool_size=payload.pool_size,
        person=_one_person(user, site.campaign, payload),
        code=payload.code or "",
        confirm_repeat=payload.confirm_repeat,
    )
    return Status(201, _tube_card(user, tube.barcode))


@router.post("/tubes/{barcode}/samples", response={201: TubeRead, **ERROR_RESPONSES})
def add_to_tube(request, barcode: str, payload: SampleAdd):
    """Adds a person, scanned (`code`) or chosen (`person`), to an open tube; answers the
    tube, closed when this person filled it. Someone sampled in this round already is refused
    (422, field `confirm_repeat`, saying when and in which tube) until sent again with
    `confirm_repeat: true`."""
    user = request.auth
    tube = _sampling_tube(user, barcode)
    person = _one_person(user, tube.site.campaign, payload)
    sampling_services.add_to_tube(
        actor=user,
        tube=tube,
        person=person,
        code=payload.code or "",
        confirm_repeat=payload.confirm_repeat,
    )
    return Status(201, _tube_card(user, tube.barcode))


@router.post("/tubes/{barcode}/close", response={200: TubeRead, **ERROR_RESPONSES})
def close_tube(request, barcode: str):
    """Closes an open tube before it is full."""
    user = request.auth
    tube = _sampling_tube(user, barcode)
    sampling_services.close_tube(actor=user, tube=tube)
    return _tube_card(user, tube.barcode)


class PersonSearchParams(Schema):
    site: uuid.UUID
    q: Text = Field(max_length=screen.MAX_QUERY, description="start of a name, or ID tail")


class FoundRead(Schema):
    id: uuid.UUID
    name: str = Field(description="masked")
    id_number: str = Field(description="masked")
    gender: str
    age: int
    address: str = Field(description="building, unit and room")
    sampled: bool = Field(description="sampled in the running round already")

    @staticmethod
    def resolve_id(found: screen.Found) -> uuid.UUID:
        return found.person.pk

    @staticmethod
    def resolve_name(found: screen.Found) -> str:
        return found.person.masked_name

    @staticmethod
    def resolve_id_number(found: screen.Found) -> str:
        return found.person.masked_id_number

    @staticmethod
    def resolve_gender(found: screen.Found) -> str:
        return str(found.person.get_gender_display())

    @staticmethod
    def resolve_age(found: screen.Found) -> int:
        return found.person.age()

    @staticmethod
    def resolve_address(found: screen.Found) -> str:
        return found.person.household.short_address


@router.get("/sampling/persons", response={200: list[FoundRead], **ERROR_RESPONSES})
def search_persons(request, params: Query[PersonSearchParams]):
    """Residents of the site's campaign whom the sampler may see, by name prefix or the last
    four characters of the ID number; at most 20, masked."""
    user = request.auth
    site = _sampling_site(user, params.site)
    return screen.search_persons(actor=user, site=site, query=params.q)
