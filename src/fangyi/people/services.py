"""The only place that changes households and persons: check permission, validate, write, audit."""

import contextlib
import copy
from collections import defaultdict
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.bulk import update_rows
from fangyi.core.models import AccessEvent, ObjectChange
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
PERSON_TYPE = Person._meta.label_lower


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


def clean_person(person: Person, *, unique: bool = True, same_household: bool = False) -> None:
    """Validates a person in full, reporting every field's errors at once. `unique=False`
    leaves the ID number's uniqueness to the caller, who checks a batch in one query
    (`_check_unique`) or knows the number unchanged; `same_household` says the person stays
    where they are, so that their region path is not read again from the household."""
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
    if unique and "id_number" not in errors and person.id_number:
        duplicate = Person.objects.filter(id_type=person.id_type, id_number=person.id_number)
        if person.pk and not person._state.adding:
            duplicate = duplicate.exclude(pk=person.pk)
        if duplicate.exists():
            errors.setdefault("id_number", []).append(_("已有居民使用此证件号码。"))
    if errors:
        raise ValidationError(errors)
    person.id_tail = person.id_number[-4:]
    if not same_household:
        person.region_path = person.household.region_path


def _raise_if_duplicate_id(person: Person, exc: IntegrityError) -> None:
    """Turns a lost race on the unique ID number into the same message validation gives."""
    others = Person.objects.filter(id_type=person.id_type, id_number=person.id_number)
    if others.exclude(pk=person.pk).exists():
        raise ValidationError({"id_number": _("已有居民使用此证件号码。")}) from exc


def new_person(
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
    unique: bool = True,
) -> Person:
    """A person as `create_person` writes them, checked (the right to add them there, every
    field, a unique ID number) but not saved: for callers that gather many and write them
    together with `create_persons`, which checks the numbers again as a batch. Raises as
    `create_person` does. `unique=False`: the caller has just looked the number up itself."""
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
    clean_person(person, unique=unique)
    return person


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
    """One person, checked as `new_person` checks them, saved and audited."""
    person = new_person(
        actor=actor,
        household=household,
        name=name,
        id_number=id_number,
        gender=gender,
        birth_date=birth_date,
        id_type=id_type,
        phone=phone,
        residence_status=residence_status,
        tags=tags,
        notes=notes,
    )
    try:
        with transaction.atomic():
            person.save(force_insert=True)
            _bump_counts(person.region_path, residents=1)
            audit.record_created(actor=actor, obj=person, fields=PERSON_FIELDS)
    except IntegrityError as exc:
        _raise_if_duplicate_id(person, exc)
        raise
    return person


def _check_unique(persons: list[Person]) -> None:
    """No two of `persons`, and none of them and anyone else, share an ID number: one query."""
    numbers: dict[tuple[str, str], Person] = {}
    for person in persons:
        if not person.id_number:
            continue
        key = (person.id_type, person.id_number)
        if key in numbers and numbers[key].pk != person.pk:
            raise ValidationError({"id_number": _("已有居民使用此证件号码。")})
        numbers[key] = person
    if not numbers:
        return
    condition = Q(pk__in=[])
    for id_type in {id_type for id_type, _number in numbers}:
        condition |= Q(id_type=id_type, id_number__in=[n for t, n in numbers if t == id_type])
    others = Person.objects.filter(condition).values_list("pk", "id_type", "id_number")
    for pk, id_type, number in others:
        if numbers[(id_type, number)].pk != pk:
            raise ValidationError({"id_number": _("已有居民使用此证件号码。")})


# The resident counts moved inside `counted_together`, waiting for its end.
_gathered: ContextVar[list[tuple[str, int]] | None] = ContextVar(
    "people_counts_gathered", default=None
)


@contextlib.contextmanager
def counted_together():
    """The regions' resident counts that `create_persons` and `update_persons` move inside
    the block are written once, as it ends. The counts of the regions above everyone (the
    city's, the province's) are rows every writer updates: written last, they are held only
    from there to the commit, so that uploads at once wait for each other that long instead
    of for the whole of each other's transaction. Nothing inside may read those counts. Left
    by an error, nothing is written (the transaction it belongs to is rolled back). Nested,
    the outer block writes them."""
    if _gathered.get() is not None:
        yield
        return
    gathered: list[tuple[str, int]] = []
    token = _gathered.set(gathered)
    try:
        yield
    finally:
        _gathered.reset(token)
    _bump_many(gathered)


def _bump_many(moves: list[tuple[str, int]]) -> None:
    """The regions' resident counts moved by many (path, change) at once: one UPDATE per
    distinct change, over every region above the paths with that net change, after locking
    them all in path order (two writers at once wait rather than deadlock)."""
    gathered = _gathered.get()
    if gathered is not None:
        gathered.extend(moves)
        return
    net: dict[str, int] = defaultdict(int)
    for path, change in moves:
        for ancestor in ancestor_paths(path):
            net[ancestor] += change
    by_change: dict[int, list[str]] = defaultdict(list)
    for path, change in net.items():
        if change:
            by_change[change].append(path)
    if not by_change:
        return
    if connection.features.has_select_for_update:
        locked = Region.objects.select_for_update().filter(
            path__in=[path for paths in by_change.values() for path in paths]
        )
        list(locked.order_by("path").values_list("pk"))
    for change, paths in by_change.items():
        Region.objects.filter(path__in=paths).update(resident_count=F("resident_count") + change)


def create_persons(*, actor, persons: list[Person]) -> list[Person]:
    """Saves many persons made by `new_person`, checked again as a batch (the right to add
    them, at each building once; every field; unique ID numbers, in one query) and written
    together: one INSERT, the regions' counts once per region, one audit row each as
    `create_person` writes. All or none."""
    for path in {person.household.region_path for person in persons}:
        require(actor, PERSON, ADD, path)
    for person in persons:
        clean_person(person, unique=False)
    _check_unique(persons)
    if not persons:
        return persons
    with transaction.atomic():
        Person.objects.bulk_create(persons)
        _bump_many([(person.region_path, 1) for person in persons])
        changes = audit.BulkChanges(actor=actor)
        for person in persons:
            changes.add(
                object_type=PERSON_TYPE,
                object_id=person.pk,
                object_repr=str(person),
                region_path=person.region_path,
                action=ObjectChange.CREATE,
                before=None,
                after=audit.snapshot(person, PERSON_FIELDS),
            )
        changes.flush()
    return persons


def _changed(actor, person: Person, changes: dict, *, unique: bool = True, allowed=frozenset()):
    """`person` with `changes` applied and checked as `update_person` checks them, as a copy
    (the caller's object is left as it was), with the audit snapshots before and after. The
    rights at the paths in `allowed` are already checked."""
    if person.region_path not in allowed:
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
    changed = copy.copy(person)
    for name, value in changes.items():
        setattr(changed, name, value)
    same_household = changed.household_id == person.household_id
    if not same_household:
        moved_to = changed.household.region_path
        if moved_to != person.region_path and moved_to not in allowed:
            require(actor, PERSON, CHANGE, moved_to)
    # An ID number left as it was is known unique (the table's constraint keeps it so).
    renumbered = (changed.id_type, changed.id_number) != (person.id_type, person.id_number)
    clean_person(changed, unique=unique and renumbered, same_household=same_household)
    return changed, before, audit.snapshot(changed, PERSON_FIELDS)


def check_person_change(*, actor, person: Person, changes: dict) -> None:
    """Raises what `update_person` would refuse of these changes, changing nothing: for
    callers that gather many changes and write them with `update_persons`."""
    _changed(actor, person, changes)


def _take_over(person: Person, changed: Person) -> None:
    """The caller's object shows the change written, as `update_person` leaves it."""
    for field in Person._meta.concrete_fields:
        setattr(person, field.attname, getattr(changed, field.attname))
    if "household" in changed._state.fields_cache:
        person.household = changed.household


def update_person(*, actor, person: Person, changes: dict) -> Person:
    changed, before, after = _changed(actor, person, changes)
    if before == after:
        return person
    old_path = person.region_path
    try:
        with transaction.atomic():
            changed.save()
            if changed.region_path != old_path:
                _bump_counts(old_path, residents=-1)
                _bump_counts(changed.region_path, residents=1)
                residents_moved.send(sender=Person, person_ids=[changed.pk])
            audit.record_updated(actor=actor, obj=changed, before=before, after=after)
    except IntegrityError as exc:
        _raise_if_duplicate_id(changed, exc)
        raise
    _take_over(person, changed)
    return person


def update_persons(*, actor, changes: list[tuple[Person, dict]]) -> int:
    """Many persons' changes, each checked as `update_person` checks it (the rights at each
    building once; unique ID numbers in one query) and written together: the changed rows by
    one prepared UPDATE sent as a batch, the regions' counts once, one `residents_moved` for
    every move, one audit row per person as `update_person` writes. All or none; a person at most once. Answers how
    many changed; the callers' objects show their changes, as `update_person` leaves them."""
    if len({person.pk for person, _changes in changes}) != len(changes):
        raise ValueError("update_persons takes each person once")
    allowed: set[str] = set()
    for person, asked in changes:
        paths = {person.region_path}
        if "household" in asked:
            paths.add(asked["household"].region_path)
        for path in paths - allowed:
            require(actor, PERSON, CHANGE, path)
            allowed.add(path)
    written: list[tuple[Person, Person, dict, dict]] = []
    for person, asked in changes:
        changed, before, after = _changed(actor, person, asked, unique=False, allowed=allowed)
        if before != after:
            written.append((person, changed, before, after))
    _check_unique([changed for _person, changed, _before, _after in written])
    if not written:
        return 0
    fields = sorted(
        {
            name
            for _person, _changed_person, before, after in written
            for name in after
            if before[name] != after[name]
        }
        | {"region_path", "id_tail"}
    )
    moved = [
        (person.region_path, changed.region_path)
        for person, changed, _before, _after in written
        if changed.region_path != person.region_path
    ]
    with transaction.atomic():
        update_rows(Person, [changed for _p, changed, _b, _a in written], fields)
        if moved:
            _bump_many([(old, -1) for old, _new in moved] + [(new, 1) for _old, new in moved])
            residents_moved.send(
                sender=Person,
                person_ids=[
                    changed.pk
                    for person, changed, _b, _a in written
                    if changed.region_path != person.region_path
                ],
            )
        audited = audit.BulkChanges(actor=actor)
        for _person, changed, before, after in written:
            audited.add(
                object_type=PERSON_TYPE,
                object_id=changed.pk,
                object_repr=str(changed),
                region_path=changed.region_path,
                action=ObjectChange.UPDATE,
                before=before,
                after=after,
            )
        audited.flush()
    for person, changed, _before, _after in written:
        _take_over(person, changed)
    return len(written)


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
