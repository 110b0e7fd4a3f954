import datetime
import re
import uuid
from collections.abc import Callable

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fangyi.core.masking import mask_id_number, mask_name, mask_phone
from fangyi.core.querysets import RestrictedQuerySet

ELDERLY_AGE = 65


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HMT_PERMIT = "hmt_permit", _("港澳台居民通行证")
    OTHER = "other", _("其他")


class ResidenceStatus(models.TextChoices):
    RESIDENT = "resident", _("常住")
    TEMPORARY = "temporary", _("暂住")
    AWAY = "away", _("外出")


# Stored special-needs tags: (field name, API/filter slug, label). "elderly" is derived from
# the birth date, so it is not stored.
STORED_TAGS = [
    ("is_pregnant", "pregnant", _("孕妇")),
    ("is_disabled", "disabled", _("残疾")),
    ("is_bedridden", "bedridden", _("卧床")),
    ("has_chronic_illness", "chronic_illness", _("慢性病")),
    ("on_dialysis", "dialysis", _("透析")),
    ("lives_alone", "lives_alone", _("独居")),
    ("is_infant", "infant", _("婴幼儿")),
]
TAG_FIELDS = {slug: field for field, slug, _label in STORED_TAGS}
TAG_LABELS = {slug: label for _field, slug, label in STORED_TAGS} | {"elderly": _("老年人")}
TAG_SLUGS = ["elderly", *TAG_FIELDS]
# The person columns that bulk loaders (the demo city, ledger imports) write row by row, in
# their order; notes and timestamps they fill in themselves.
PERSON_ROW_COLUMNS = [
    "id",
    "household_id",
    "region_path",
    "name",
    "gender",
    "birth_date",
    "id_type",
    "id_number",
    "id_tail",
    "phone",
    "residence_status",
    *(field for field, _slug, _label in STORED_TAGS),
]


def elderly_born_on_or_before(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - ELDERLY_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - ELDERLY_AGE, day=28)


def short_address(building: str, unit: str, room: str) -> str:
    """Building, unit and room in one line: 1号楼2单元301."""
    return address_writer()(building, unit, room)


def address_writer() -> Callable[[str, str, str], str]:
    """`short_address` with the unit's words translated once, in the language active now,
    for a writer of many addresses (a registry import writes hundreds of thousands: looking
    the words up each time cost it 2.5 s a million)."""
    unit_words = gettext("%(unit)s单元")

    def address(building: str, unit: str, room: str) -> str:
        return f"{building}{unit_words % {'unit': unit} if unit else ''}{room}"

    return address


class HouseholdQuerySet(RestrictedQuerySet):
    def with_address(self):
        return self.select_related("building__parent__parent__parent")


class Household(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    building = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("楼栋"),
    )
    unit = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("房号"), max_length=20)
    region_path = models.CharField(max_length=18, editable=False)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdQuerySet.as_manager()
    permission_resource = "household"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        constraints = [
            models.UniqueConstraint(fields=["building", "unit", "room"], name="unique_household")
        ]
        indexes = [models.Index(fields=["region_path", "id"], name="household_scope")]

    def __str__(self) -> str:
        return self.short_address

    @property
    def short_address(self) -> str:
        return short_address(self.building.name, self.unit, self.room)

    @property
    def address(self) -> str:
        """One line: street, community, building, unit, room (the grid is not postal)."""
        grid = self.building.parent
        community = grid.parent if grid else None
        street = community.parent if community else None
        parts = [r.name for r in (street, community) if r is not None]
        return "".join(parts) + self.short_address


ID_TAIL_QUERY = re.compile(r"[0-9]{3}[0-9X]")
PHONE_QUERY = re.compile(r"[0-9]{11}")
# A whole document number: 18 characters for a resident ID, 6 or more letters and digits (with
# at least one digit) for the others.
ID_NUMBER_QUERY = re.compile(r"(?=.*[0-9])[0-9A-Z]{6,32}")
SPACES = re.compile(r"\s+")


def person_colours() -> list[tuple[str, str]]:
    """The health colours a person's status can take, read from the status model (people does
    not import health)."""
    colour = apps.get_model("health", "Status")._meta.get_field("colour")
    assert isinstance(colour, models.Field)
    return list(colour.flatchoices)


class PersonQuerySet(RestrictedQuerySet):
    def search(self, query: str):
        """Four digits (or three and X) are an ID's last four; eleven digits a phone; a whole ID
        number finds its holder; anything else is any part of a name."""
        query = (query or "").strip()
        if not query:
            return self
        # Numbers are often typed or pasted in groups: 3501 0219 9108 0707 48.
        number = SPACES.sub("", query).upper()
        if ID_TAIL_QUERY.fullmatch(number):
            return self.filter(id_tail=number)
        if PHONE_QUERY.fullmatch(number):
            return self.filter(phone=number)
        if ID_NUMBER_QUERY.fullmatch(number):
            # Every type is named so the lookup uses the (id_type, id_number) unique index.
            return self.filter(id_type__in=IdType.values, id_number=number)
        return self.filter(name__contains=query)

    def with_colour(self, colour: str):
        return self.filter(health_status__colour=colour)

    def with_tag(self, slug: str):
        if slug == "elderly":
            return self.filter(birth_date__lte=elderly_born_on_or_before())
        return self.filter(**{TAG_FIELDS[slug]: True})


def _tag_index(field: str) -> models.Index:
    # One partial index per tag: "bedridden people in this grid" reads only those rows.
    return models.Index(
        fields=["region_path", "id"], condition=Q(**{field: True}), name=f"person_tag_{field}"[:30]
    )


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("户")
    )
    region_path = models.CharField(max_length=18, editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    id_type = models.CharField(
        _("证件类型"), max_length=16, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number = models.CharField(_("证件号码"), max_length=32)
    id_tail = models.CharField(max_length=4, editable=False)
    phone = models.CharField(_("手机号"), max_length=11, blank=True)
    residence_status = models.CharField(
        _("居住状态"),
        max_length=16,
        choices=ResidenceStatus.choices,
        default=ResidenceStatus.RESIDENT,
    )
    is_pregnant = models.BooleanField(_("孕妇"), default=False)
    is_disabled = models.BooleanField(_("残疾"), default=False)
    is_bedridden = models.BooleanField(_("卧床"), default=False)
    has_chronic_illness = models.BooleanField(_("慢性病"), default=False)
    on_dialysis = models.BooleanField(_("透析"), default=False)
    lives_alone = models.BooleanField(_("独居"), default=False)
    is_infant = models.BooleanField(_("婴幼儿"), default=False)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()
    permission_resource = "person"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_number"], name="unique_person_id_number")
        ]
        indexes = [
            models.Index(fields=["region_path", "id"], name="person_scope"),
            models.Index(fields=["id_tail", "region_path"], name="person_id_tail"),
            # A number typed so far, within the caller's regions: both in one index scan
            # (the hotline's caller lookup), and a number alone by its first column.
            models.Index(fields=["phone", "region_path"], name="person_phone_scope"),
            models.Index(fields=["name", "region_path"], name="person_name"),
            models.Index(fields=["birth_date", "region_path"], name="person_birth_date"),
            # The few away: coverage takes them off everyone living in a region.
            models.Index(
                fields=["region_path", "id"],
                condition=Q(residence_status=ResidenceStatus.AWAY),
                name="person_away",
            ),
            *[_tag_index(field) for field, _slug, _label in STORED_TAGS],
        ]

    def __str__(self) -> str:
        # Masked on purpose: this string lands in audit rows and logs.
        return mask_name(self.name)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def age(self, today: datetime.date | None = None) -> int:
        today = today or timezone.localdate()
        before_birthday = (today.month, today.day) < (self.birth_date.month, self.birth_date.day)
        return today.year - self.birth_date.year - before_birthday

    @property
    def tags(self) -> list[str]:
        slugs = ["elderly"] if self.age() >= ELDERLY_AGE else []
        return slugs + [slug for field, slug, _label in STORED_TAGS if getattr(self, field)]

    @property
    def colour(self) -> str:
        """The colour of the person's current health status; empty before the first one."""
        try:
            return self.health_status.colour
        except ObjectDoesNotExist:
            return ""

    @property
    def colour_label(self) -> str:
        return str(dict(person_colours()).get(self.colour, "")) if self.colour else ""

    @property
    def tag_labels(self) -> list[str]:
        return [str(TAG_LABELS[slug]) for slug in self.tags]
