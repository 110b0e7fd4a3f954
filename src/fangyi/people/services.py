"""The only place that changes households and persons: check permission, validate, write, audit."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.models import AccessEvent
from fangyi.core.permissions import ADD, CHANGE, REVEAL, require
from fangyi.regions.models import Level, Region, ancestor_paths

from .area import HOUSEHOLD, PERSON
from .models import TAG_FIELDS, Household, IdType, Person, ResidenceStatus
from .signals import residents_moved
from .validation import (
    NOTES_MAX_LENGTH,
    birth_date_from_resident_id,
    gender_from_resident_id,
    validate_mobile,
    validate_name,
    validate_resident_id,
)

HOUSEHOLD_FIELDS = ["building", "unit", "room", "notes"]
PERSON_FIELDS = [
    "household",
    "name",
    "gender",
    "birth_date",
    "id_type",
    "id_number",
    "phone",
    "residence_status",
    *TAG_FIELDS.values(),
    "notes",
]
REVEALABLE = {"name", "id_number", "phone"}


def _bump_counts(path: str, *, residents: int = 0, households: int = 0) -> None:
    if residents or households:
        Region.objects.filter(path__in=ancestor_paths(path)).update(
            resident_count=F("resident_count") + residents,
            household_count=F("household_count") + households,
        )


def _check_building(building) -> None:
    if not isinstance(building, Region) or building.level != Level.BUILDING:
        raise ValidationError({"building": _("户必须属于一个楼栋。")})


def _check_household(household: Household) -> None:
    # Uniqueness is checked by the callers, with a message on the field the user can fix.
    try:
        household.full_clean(
            exclude=["region_path"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    else:
        errors = {}
    # The same limit as a person's notes, on every way in (pages, API, ledgers), not only the
    # API's schema.
    if len(household.notes or "") > NOTES_MAX_LENGTH:
        errors.setdefault("notes", []).append(_("备注最多 %(n)d 个字。") % {"n": NOTES_MAX_LENGTH})
    if errors:
        raise ValidationError(errors)


def create_household(*, actor, building: Region, room: str, unit: str = "", notes: str = ""):
    _check_building(building)
    require(actor, HOUSEHOLD, ADD, building.path)
    household = Household(
        building=building,
        unit=unit.strip(),
        room=room.strip(),
        notes=notes,
        region_path=building.path,
    )
    _check_household(household)
    if Household.objects.filter(
        building=building, unit=household.unit, room=household.room
    ).exists():
        raise ValidationError({"room": _("该楼栋已有此单元和房号的户。")})
    with transaction.atomic():
        household.save(force_insert=True)
        _bump_counts(building.path, households=1)
        audit.record_created(actor=actor, obj=household, fields=HOUSEHOLD_FIELDS)
    return household


def update_household(*, actor, household: Household, changes: dict) -> Household:
    require(actor, HOUSEHOLD, CHANGE, household.region_path)
    unknown = set(changes) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise ValidationError({name: _("不能修改此字段。") for name in unknown})
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    old_path = household.region_path
    for name, value in changes.items():
        setattr(household, name, value.strip() if isinstance(value, str) else value)
    _check_building(household.building)
    household.region_path = household.building.path
    if household.region_path != old_path:
        require(actor, HOUSEHOLD, CHANGE, household.region_path)
    _check_household(household)
    clash = Household.objects.filter(
        building=household.building, unit=household.unit, room=household.room
    ).exclude(pk=household.pk)
    if clash.exists():
        raise ValidationError({"room": _("该楼栋已有此单元和房号的户。")})
    after = audit.snapshot(household, HOUSEHOLD_FIELDS)
    if before == after:
        return household
    with transaction.atomic():
        household.save()
        if household.region_path != old_path:
            members = household.members.count()
            Person.objects.filter(household=household).update(region_path=household.region_path)
            residents_moved.send(
                sender=Household,
                person_ids=list(household.members.values_list("pk", flat=True)),
            )
            _bump_counts(old_path, residents=-members, households=-1)
            _bump_counts(household.region_path, residents=members, households=1)
        audit.record_updated(actor=actor, obj=household, before=before, after=after)
    return household


def clean_person(person: Person) -> None:
    """Validates a person in full, reporting every field's errors at once."""
    errors: dict[str, list[str]] = {}
    try:
        # The ID number's uniqueness is checked below, with a message on that field.
        person.full_clean(
            exclude=["region_path", "id_tail", "household"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        errors.update({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
    try:
        person.name = validate_name(person.name)
    except ValidationError as exc:
        errors["name"] = exc.messages
    if len(person.notes or "") > NOTES_MAX_LENGTH:
        errors.setdefault("notes", []).append(_("备注最多 %(n)d 个字。") % {"n": NOTES_MAX_LENGTH})
    person.id_number = (person.id_number or "").strip().upper()
    if person.id_type == IdType.RESIDENT_ID and person.id_number:
        try:
            person.id_number = validate_resident_id(person.id_number)
        except ValidationError as exc:
            errors.setdefault("id_number", []).extend(exc.messages)
        else:
            derived_birth = birth_date_from_resident_id(person.id_number)
            derived_gender = gender_from_resident_id(person.id_number)
            if person.birth_date and person.birth_date != derived_birth:
                errors.setdefault("birth_date", []).append(
                    _("出生日期与身份证号不符（身份证号为 %(date)s）。")
                    % {"date": derived_birth.isoformat()}
                )
            if person.gender and person.gender != derived_gender:
                errors.setdefault("gender", []).append(_("性别与身份证号不符。"))
    if person.phone:
        try:
            person.phone = validate_mobile(person.phone)
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(exc.messages)
    if person.birth_date and person.birth_date > timezone.localdate():
        errors.setdefault("birth_date", []).append(_("出生日期不能在未来。"))
    if person.household_id is None:
        errors.setdefault("household", []).append(_("请选择所属的户。"))
    if "id_number" not in errors and person.id_number:
        duplicate = Person.objects.filter(id_type=person.id_type, id_number=person.id_number)
        if person.pk and not person._state.adding:
            duplicate = duplicate.exclude(pk=person.pk)
        if duplicate.exists():
            errors.setdefault("id_number", []).append(_("已有居民使用此证件号码。"))
    if errors:
        raise ValidationError(errors)
    person.id_tail = person.id_number[-4:]
    person.region_path = person.household.region_path


def _raise_if_duplicate_id(person: Person, exc: IntegrityError) -> None:
    """Turns a lost race on the unique ID number into the same message validation gives."""
    others = Person.objects.filter(id_type=person.id_type, id_number=person.id_number)
    if others.exclude(pk=person.pk).exists():
        raise ValidationError({"id_number": _("已有居民使用此证件号码。")}) from exc


def create_person(
    *,
    actor,
    household: Household,
    name: str,
    id_number: str,
    gender: str = "",
    birth_date=None,
    id_type: str = IdType.RESIDENT_ID,
    phone: str = "",
    residence_status: str = ResidenceStatus.RESIDENT,
    tags: list[str] | tuple[str, ...] = (),
    notes: str = "",
) -> Person:
    require(actor, PERSON, ADD, household.region_path)
    unknown_tags = set(tags) - set(TAG_FIELDS)
    if unknown_tags:
        raise ValidationError(
            {"tags": _("未知标签：%(tags)s") % {"tags": ", ".join(sorted(unknown_tags))}}
        )
    person = Person(
        household=household,
        name=name,
        id_type=id_type,
        id_number=id_number,
        phone=phone,
        residence_status=residence_status,
        notes=notes,
        **{field: slug in tags for slug, field in TAG_FIELDS.items()},
    )
    if id_type == IdType.RESIDENT_ID:
        # Derive what the ID number already says when it was not entered.
        try:
            number = validate_resident_id(id_number)
        except ValidationError:
            pass
        else:
            gender = gender or gender_from_resident_id(number)
            birth_date = birth_date or birth_date_from_resident_id(number)
    person.gender, person.birth_date = gender, birth_date
    clean_person(person)
    try:
        with transaction.atomic():
            person.save(force_insert=True)
            _bump_counts(person.region_path, residents=1)
            audit.record_created(actor=actor, obj=person, fields=PERSON_FIELDS)
    except IntegrityError as exc:
        _raise_if_duplicate_id(person, exc)
        raise
    return person


def update_person(*, actor, person: Person, changes: dict) -> Person:
    require(actor, PERSON, CHANGE, person.region_path)
    changes = dict(changes)
    tags = changes.pop("tags", None)
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({name: _("不能修改此字段。") for name in unknown})
    if tags is not None:
        unknown_tags = set(tags) - set(TAG_FIELDS)
        if unknown_tags:
            raise ValidationError(
                {"tags": _("未知标签：%(tags)s") % {"tags": ", ".join(sorted(unknown_tags))}}
            )
        changes.update({field: slug in tags for slug, field in TAG_FIELDS.items()})
    before = audit.snapshot(person, PERSON_FIELDS)
    old_path = person.region_path
    for name, value in changes.items():
        setattr(person, name, value)
    if person.household.region_path != old_path:
        require(actor, PERSON, CHANGE, person.household.region_path)
    clean_person(person)
    after = audit.snapshot(person, PERSON_FIELDS)
    if before == after:
        return person
    try:
        with transaction.atomic():
            person.save()
            if person.region_path != old_path:
                _bump_counts(old_path, residents=-1)
                _bump_counts(person.region_path, residents=1)
                residents_moved.send(sender=Person, person_ids=[person.pk])
            audit.record_updated(actor=actor, obj=person, before=before, after=after)
    except IntegrityError as exc:
        _raise_if_duplicate_id(person, exc)
        raise
    return person


def _reveal_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请填写查看明文的理由。")})
    return reason


def reveal_person(
    *, actor, person: Person, reason: str, fields=("name", "id_number", "phone")
) -> dict:
    """Returns the unmasked fields and logs who saw them and why."""
    require(actor, PERSON, REVEAL, person.region_path)
    reason = _reveal_reason(reason)
    fields = [f for f in fields if f in REVEALABLE]
    if not fields:
        raise ValidationError({"fields": _("没有可查看的字段。")})
    audit.record_access(
        actor=actor,
        kind=AccessEvent.REVEAL,
        obj=person,
        reason=reason,
        fields=fields,
    )
    return {name: getattr(person, name) for name in fields}


def reveal_household(*, actor, household: Household, reason: str) -> list[dict]:
    """Every member's unmasked name, ID number and phone, each member's reveal logged."""
    # Revealing a household discloses its members, so both rights are needed.
    require(actor, HOUSEHOLD, REVEAL, household.region_path)
    require(actor, PERSON, REVEAL, household.region_path)
    reason = _reveal_reason(reason)
    fields = ["name", "id_number", "phone"]
    members = list(household.members.order_by("birth_date", "id"))
    with transaction.atomic():
        for person in members:
            audit.record_access(
                actor=actor,
                kind=AccessEvent.REVEAL,
                obj=person,
                reason=reason,
                fields=fields,
            )
    return [
        {"id": person.pk, **{name: getattr(person, name) for name in fields}} for person in members
    ]
