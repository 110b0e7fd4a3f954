"""The residents ledger (居民台账): one row per person, with where they live.

A row names its household by building (code, or street/community/grid/building names) plus
unit and room; a household that does not exist yet is created. Rows are matched to persons
by ID number: a known number updates that person, an identical row changes nothing. A blank
cell in an update keeps what is recorded (a ledger that leaves the phone out must not wipe
it); a tag column says 是 or 否 to set or clear a tag.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.core.bulk import time_ordered_ids
from fangyi.core.masking import mask_id_number, mask_name, mask_phone
from fangyi.core.permissions import ADD, CHANGE, EXPORT, VIEW, Actor
from fangyi.people.area import HOUSEHOLD, PERSON
from fangyi.people.models import (
    STORED_TAGS,
    TAG_LABELS,
    Gender,
    Household,
    IdType,
    Person,
    ResidenceStatus,
    address_writer,
)
from fangyi.people.signals import residents_moved
from fangyi.people.validation import parse_resident_id, validate_mobile, validate_name
from fangyi.regions.models import Level

from . import normalise
from .exporting import keyset_chunks
from .locations import LocationError, RegionIndex, region_code
from .registry import CREATE, ERROR, UNCHANGED, UPDATE, Column, Ledger, Row, ScopeCache, register
from .writing import (
    AuditWriter,
    CountDeltas,
    column_of,
    household_writer,
    max_length,
    own_field,
    person_writer,
)

ID_TYPE_SPELLINGS = {
    "居民身份证": IdType.RESIDENT_ID,
    "身份证": IdType.RESIDENT_ID,
    "二代身份证": IdType.RESIDENT_ID,
    "resident_id": IdType.RESIDENT_ID,
    "护照": IdType.PASSPORT,
    "passport": IdType.PASSPORT,
    "港澳台居民通行证": IdType.HMT_PERMIT,
    "港澳居民来往内地通行证": IdType.HMT_PERMIT,
    "台湾居民来往大陆通行证": IdType.HMT_PERMIT,
    "hmt_permit": IdType.HMT_PERMIT,
    "其他": IdType.OTHER,
    "other": IdType.OTHER,
}
STATUS_SPELLINGS = {
    "常住": ResidenceStatus.RESIDENT,
    "户籍": ResidenceStatus.RESIDENT,
    "常住人口": ResidenceStatus.RESIDENT,
    "resident": ResidenceStatus.RESIDENT,
    "暂住": ResidenceStatus.TEMPORARY,
    "流动": ResidenceStatus.TEMPORARY,
    "流动人口": ResidenceStatus.TEMPORARY,
    "temporary": ResidenceStatus.TEMPORARY,
    "外出": ResidenceStatus.AWAY,
    "不在家": ResidenceStatus.AWAY,
    "away": ResidenceStatus.AWAY,
}
TAG_SYNONYMS = {
    "is_pregnant": ("是否孕妇", "孕产妇"),
    "is_disabled": ("是否残疾", "残疾人", "是否残疾人"),
    "is_bedridden": ("是否卧床", "卧床不起", "长期卧床"),
    "has_chronic_illness": ("是否慢性病", "慢性病患者", "基础病"),
    "on_dialysis": ("是否透析", "血液透析"),
    "lives_alone": ("是否独居", "独居老人"),
    "is_infant": ("是否婴幼儿", "婴儿"),
}
MAX_ID_LENGTH = max_length(Person, "id_number")
MAX_NAME_LENGTH = max_length(Person, "name")
MAX_ROOM_LENGTH = max_length(Household, "room")

LOCATION_COLUMNS = [
    Column(
        "building_code",
        "楼栋代码",
        region_code,
        synonyms=("楼栋编码", "楼栋编号", "building code"),
        description=gettext_lazy("18 位楼栋代码；填写后可不填街道至楼栋名称"),
        example="350102001001001001",
    ),
    Column(
        "street",
        "街道",
        synonyms=("街道(乡镇)", "乡镇", "镇街", "乡镇街道", "所属街道", "street"),
        description=gettext_lazy("无楼栋代码时用名称定位"),
        example="东街街道",
    ),
    Column(
        "community",
        "社区",
        synonyms=("社区(村)", "村", "村居", "居委会", "村(社区)", "所属社区", "community"),
        example="三坊社区",
    ),
    Column(
        "grid",
        "网格",
        synonyms=("网格名称", "所属网格", "grid"),
        example="第一网格",
    ),
    Column(
        "building",
        "楼栋",
        synonyms=("楼栋名称", "楼号", "楼栋号", "building"),
        example="1号楼",
    ),
    Column("unit", "单元", synonyms=("单元号", "unit"), example="1"),
    Column(
        "room",
        "房号",
        synonyms=("门牌号", "房间号", "室", "户号", "门牌", "room"),
        description=gettext_lazy("新建居民时必填"),
        example="101",
    ),
]

NOTES_COLUMN = Column("notes", "备注", normalise.words, synonyms=("说明", "notes"), example="")


def _location_names(row: Row) -> tuple[str, str, str, str]:
    v = row.values
    return (v.get("street", ""), v.get("community", ""), v.get("grid", ""), v.get("building", ""))


def resolve_building(index: RegionIndex, row: Row):
    """The building the row names, or None (with the error noted on the row)."""
    try:
        return index.building(code=row.values.get("building_code", ""), names=_location_names(row))
    except LocationError as exc:
        key = "building_code" if row.given("building_code") else "building"
        row.error(key, str(exc))
        return None


_LOCATION_KEYS = ("building_code", "street", "community", "grid", "building")


def row_names_location(row: Row) -> bool:
    values = row.values
    for key in _LOCATION_KEYS:  # Row.given, unrolled: asked twice a row
        value = values.get(key)
        if value is not None and value != "":
            return True
    return False


def _persons_by_number(id_type: str, numbers: list[str], fields: list[str]) -> list[dict]:
    if connection.vendor != "postgresql":
        return list(Person.objects.filter(id_type=id_type, id_number__in=numbers).values(*fields))
    # One array parameter instead of thousands of %s parameters, which the driver would
    # otherwise parse on every chunk; PostgreSQL returns the same Python types the ORM does.
    columns = ", ".join(connection.ops.quote_name(column_of(Person, f)) for f in fields)
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {table} WHERE id_type = %s AND id_number = ANY(%s)",
            [id_type, numbers],
        )
        return [dict(zip(fields, row, strict=True)) for row in cursor.fetchall()]


class HouseholdBook:
    """Households by building, unit and room, loaded a building at a time; remembers the ones
    this import plans to create, so later rows join them."""

    def __init__(self) -> None:
        self.by_building: dict[object, dict[tuple[str, str], tuple[object, str]]] = {}
        self.new_ids: list[str] = []

    def load(self, building_ids, *, known_empty: bool = False) -> None:
        wanted = [b for b in set(building_ids) if b not in self.by_building]
        if known_empty:
            self.by_building.update((b, {}) for b in wanted)
            return
        for start in range(0, len(wanted), 500):
            batch = wanted[start : start + 500]
            for b in batch:
                self.by_building[b] = {}
            rows = Household.objects.filter(building_id__in=batch).values_list(
                "building_id", "unit", "room", "id", "notes"
            )
            for building_id, unit, room, household_id, notes in rows.iterator(chunk_size=5000):
                self.by_building[building_id][(unit, room)] = (household_id, notes)

    def get(self, building_id, unit: str, room: str):
        return self.by_building[building_id].get((unit, room))

    def plan_new(self, building_id, unit: str, room: str, notes: str = ""):
        if not self.new_ids:
            # Made a batch at a time, in order, for the same reason as the persons' ids.
            self.new_ids = time_ordered_ids(1000)
            self.new_ids.reverse()
        household_id = self.new_ids.pop()
        self.by_building[building_id][(unit, room)] = (household_id, notes)
        return household_id


def _tag_column(field: str, slug: str, label) -> Column:
    return Column(
        field,
        str(label),
        normalise.boolean,
        synonyms=(slug, *TAG_SYNONYMS.get(field, ())),
        description=gettext_lazy("是 / 否；留空不变"),
        example="否",
    )


TAG_FIELD_NAMES = [field for field, _slug, _label in STORED_TAGS]
UPDATABLE = [
    "name",
    "gender",
    "birth_date",
    "phone",
    "residence_status",
    *TAG_FIELD_NAMES,
    "notes",
]


@register
class ResidentsLedger(Ledger):
    slug = "residents"
    title = gettext_lazy("居民台账")
    resource = PERSON
    export_action = EXPORT
    export_filters = {
        "tag": TAG_LABELS,
        "residence_status": dict(ResidenceStatus.choices),
    }
    columns = [
        Column(
            "name",
            "姓名",
            normalise.words,
            synonyms=("名字", "居民姓名", "人员姓名", "户主/成员姓名", "name"),
            required=True,
            example="王小明",
        ),
        Column(
            "id_type",
            "证件类型",
            partial(normalise.choice, mapping=ID_TYPE_SPELLINGS),
            synonyms=("证件种类", "id type"),
            description=gettext_lazy("居民身份证（默认）、护照、港澳台居民通行证、其他"),
            example="居民身份证",
        ),
        Column(
            "id_number",
            "证件号码",
            normalise.id_number,
            synonyms=(
                "身份证号",
                "身份证号码",
                "公民身份号码",
                "身份证",
                "证件号",
                "id number",
                "id_no",
            ),
            required=True,
            description=gettext_lazy("每人唯一；已有此号码的居民会被更新"),
            example="350102198005171234",
        ),
        Column(
            "gender",
            "性别",
            normalise.gender,
            synonyms=("gender", "sex"),
            description=gettext_lazy("男 / 女；身份证号可推出时可不填"),
            example="男",
        ),
        Column(
            "birth_date",
            "出生日期",
            normalise.date,
            synonyms=("出生年月日", "生日", "出生年月", "birth date", "date of birth"),
            description=gettext_lazy("如 1980-05-17；身份证号可推出时可不填"),
            example="1980-05-17",
        ),
        Column(
            "phone",
            "手机号",
            normalise.phone,
            synonyms=("手机号码", "联系电话", "电话", "联系方式", "手机", "电话号码", "phone"),
            example="13800000001",
        ),
        Column(
            "residence_status",
            "居住状态",
            partial(normalise.choice, mapping=STATUS_SPELLINGS),
            synonyms=("居住情况", "人员类别", "residence status"),
            description=gettext_lazy("常住（默认）、暂住、外出"),
            example="常住",
        ),
        *LOCATION_COLUMNS,
        *(_tag_column(field, slug, label) for field, slug, label in STORED_TAGS),
        NOTES_COLUMN,
    ]

    # Rows of one building share its households: a split import keeps them together.
    split_columns = ("building_code", "street", "community", "grid", "building")
    key_columns = ("id_type", "id_number")
    empty_load_tables = (Household, Person)

    def __init__(self, *, actor: Actor) -> None:
        super().__init__(actor=actor)
        self.index = RegionIndex(actor=actor)
        self.households = HouseholdBook()
        self.allowed = ScopeCache(actor)
        self.seen: dict[tuple[str, str], int] = {}
        self.households_created = 0
        self.address = address_writer()

    def split_key(self, values: dict) -> object | None:
        names = (
            values.get("street", ""),
            values.get("community", ""),
            values.get("grid", ""),
            values.get("building", ""),
        )
        try:
            return self.index.building(code=values.get("building_code", ""), names=names).id
        except LocationError:
            return None

    # Checking ------------------------------------------------------------------------------

    @classmethod
    def check_alone(cls, row: Row, today) -> None:
        row.key = cls._check_identity(row, today)
        cls._check_contact(row)

    @classmethod
    def row_key(cls, values: dict[str, Any], today) -> tuple[str, str] | None:
        id_type = values.get("id_type") or IdType.RESIDENT_ID
        number = values.get("id_number", "")
        if not number:
            return None
        if id_type == IdType.RESIDENT_ID:
            try:
                number = parse_resident_id(number, today)[0]
            except ValidationError:
                return None
        return id_type, number

    @classmethod
    def masked_example(cls, row: Row) -> str:
        number = row.values.get("id_number") or ""
        return number if "*" in number else ""

    @staticmethod
    def _check_identity(row: Row, today) -> tuple[str, str] | None:
        v = row.values
        name = v.get("name", "")
        if not name:
            if not row.has_error("name"):
                row.error("name", _("请填写姓名。"))
        elif len(name) > MAX_NAME_LENGTH:
            row.error("name", _("姓名最多 %(n)d 个字。") % {"n": MAX_NAME_LENGTH})
        else:
            try:
                v["name"] = validate_name(name)
            except ValidationError as exc:
                row.error("name", exc.messages[0])
        id_type = v.get("id_type") or IdType.RESIDENT_ID
        number = v.get("id_number", "")
        if not number:
            if not row.has_error("id_number"):
                row.error("id_number", _("请填写证件号码。"))
            return None
        if id_type == IdType.RESIDENT_ID:
            try:
                number, birth_date, gender = parse_resident_id(number, today)
            except ValidationError as exc:
                row.error("id_number", " ".join(exc.messages))
                return None
            given_birth, given_gender = v.get("birth_date"), v.get("gender")
            if given_birth and given_birth != birth_date:
                row.error(
                    "birth_date",
                    _("出生日期与身份证号不符（身份证号为 %(date)s）。")
                    % {"date": birth_date.isoformat()},
                )
            if given_gender and given_gender != gender:
                row.error(
                    "gender",
                    _("性别与身份证号不符（身份证号为%(gender)s）。")
                    % {"gender": Gender(gender).label},
                )
            v["birth_date"], v["gender"] = birth_date, gender
        elif len(number) > MAX_ID_LENGTH:
            row.error("id_number", _("证件号码最多 %(n)d 位。") % {"n": MAX_ID_LENGTH})
        else:
            given_birth = v.get("birth_date")
            if given_birth and given_birth > today:
                row.error("birth_date", _("出生日期不能在未来。"))
        v["id_type"], v["id_number"] = id_type, number
        return id_type, number

    @staticmethod
    def _check_contact(row: Row) -> None:
        phone = row.values.get("phone")
        if phone:
            try:
                row.values["phone"] = validate_mobile(phone)
            except ValidationError as exc:
                row.error("phone", " ".join(exc.messages))

    def _check_new(self, row: Row) -> None:
        v = row.values
        if not v.get("gender"):
            row.error("gender", _("请填写性别。"))
        if not v.get("birth_date"):
            row.error("birth_date", _("请填写出生日期。"))
        if not row_names_location(row):
            row.error("building", _("新居民需填写楼栋代码或楼栋名称，以及房号。"))

    def plan(self, rows: list[Row]) -> None:
        keys: dict[int, tuple[str, str]] = {}
        for position, row in enumerate(rows):
            key = row.key
            if key is None:
                continue
            if self.first_rows is None:
                first = self.seen.setdefault(key, row.number)
            else:
                first = self.first_rows.get(row.number, row.number)
            if first != row.number:
                row.error("id_number", _("与第 %(row)d 行的证件号码重复。") % {"row": first})
            else:
                keys[position] = key
        existing = {} if self.registry_empty else self._existing(set(keys.values()))
        buildings = {}
        for position, row in enumerate(rows):
            if row_names_location(row):
                building = resolve_building(self.index, row)
                if building is not None:
                    buildings[position] = building
        self.households.load((b.id for b in buildings.values()), known_empty=self.registry_empty)
        for position, row in enumerate(rows):
            key = keys.get(position)
            person = existing.get(key) if key else None
            if person is None and key is not None:
                self._check_new(row)
            building = buildings.get(position)
            household = self._household(row, building) if building else None
            if row.errors:
                row.action = ERROR
            elif person is None:
                self._plan_create(row, household)
            else:
                self._plan_update(row, person, household)

    def _existing(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], dict]:
        by_type: dict[str, list[str]] = {}
        for id_type, number in keys:
            by_type.setdefault(id_type, []).append(number)
        found = {}
        fields = ["id", "household_id", "region_path", "id_number", *UPDATABLE]
        for id_type, numbers in by_type.items():
            for start in range(0, len(numbers), 5000):
                for person in _persons_by_number(id_type, numbers[start : start + 5000], fields):
                    found[(id_type, person["id_number"])] = person
        return found

    def _household(self, row: Row, building):
        """(household id or None if it is to be created, building) for the row's location."""
        v = row.values
        room, unit = v.get("room", ""), v.get("unit", "")
        if not room:
            row.error("room", _("请填写房号。"))
            return None
        if len(room) > MAX_ROOM_LENGTH or len(unit) > MAX_ROOM_LENGTH:
            row.error("room", _("单元和房号最多 %(n)d 个字符。") % {"n": MAX_ROOM_LENGTH})
            return None
        found = self.households.get(building.id, unit, room)
        if found is not None:
            return found[0], building
        if not self.allowed(HOUSEHOLD, ADD, building.path):
            row.error("building", _("您没有在该楼栋新建户的权限。"))
            return None
        return None, building

    def _new_household(self, row: Row, building):
        # Registered only once the row is sure to be written, so a later row of the same
        # household joins a household that will exist.
        household_id = self.households.plan_new(
            building.id, row.values.get("unit", ""), row.values["room"]
        )
        self.households_created += 1
        return household_id

    def _plan_create(self, row: Row, household) -> None:
        household_id, building = household
        if not self.allowed(PERSON, ADD, building.path):
            row.error("building", _("您没有在该楼栋登记居民的权限。"))
            row.action = ERROR
            return
        is_new = household_id is None
        if is_new:
            household_id = self._new_household(row, building)
        row.action = CREATE
        row.plan = (household_id, building, is_new)

    def _plan_update(self, row: Row, person: dict, household) -> None:
        if not self.allowed(PERSON, VIEW, person["region_path"]) or not self.allowed(
            PERSON, CHANGE, person["region_path"]
        ):
            row.error("id_number", _("已有居民使用此证件号码，且不在您可修改的辖区内。"))
            row.action = ERROR
            return
        changes = {}
        for key in UPDATABLE:
            if row.given(key) and row.values[key] != person[key]:
                changes[key] = row.values[key]
        new_household = None
        if household is not None:
            household_id, building = household
            if household_id != person["household_id"]:
                if not self.allowed(PERSON, CHANGE, building.path):
                    row.error("building", _("您没有把居民迁入该楼栋的权限。"))
                    row.action = ERROR
                    return
                if household_id is None:
                    household_id = self._new_household(row, building)
                    new_household = (household_id, building)
                changes["household_id"] = household_id
                changes["region_path"] = building.path
        if not changes:
            row.action = UNCHANGED
            return
        row.action = UPDATE
        row.plan = (person, changes, new_household)

    # Writing -------------------------------------------------------------------------------

    def write(self, rows: list[Row]) -> None:
        now = timezone.now()
        audit = AuditWriter(actor=self.actor, time=now)
        counts = CountDeltas()
        new_households, new_persons, updates = [], [], []
        # Time-ordered ids append to the primary-key indexes instead of landing at random.
        person_ids = iter(time_ordered_ids(sum(1 for row in rows if row.action == CREATE)))
        for row in rows:
            if row.action == CREATE:
                household_id, building, household_is_new = row.plan
                if household_is_new:
                    new_households.append(self._household_row(row, household_id, building))
                person_id = next(person_ids)
                v = row.values
                record = (
                    person_id,
                    household_id,
                    building.path,
                    v["name"],
                    v["gender"],
                    v["birth_date"],
                    v["id_type"],
                    v["id_number"],
                    v["id_number"][-4:],
                    v.get("phone") or "",
                    v.get("residence_status") or ResidenceStatus.RESIDENT,
                    *(bool(v.get(field)) for field in TAG_FIELD_NAMES),
                    v.get("notes") or "",
                )
                new_persons.append(record)
                counts.add(building.path, residents=1)
                audit.person_created(record)
            elif row.action == UPDATE:
                person, changes, household = row.plan
                if household is not None:
                    household_id, building = household
                    new_households.append(self._household_row(row, household_id, building))
                updates.append((person, changes))
                if "region_path" in changes:
                    counts.add(person["region_path"], residents=-1)
                    counts.add(changes["region_path"], residents=1)
                audit.person_updated(person, changes)
        for household in new_households:
            counts.add(household[4], households=1)
            audit.household_created(household, repr_=self._household_repr(household))
        household_writer(now).write(new_households)
        person_writer(now).write(new_persons)
        self._update(updates, now)
        audit.flush()
        # Last, so that the regions above (the city's row for every chunk) stay locked for as
        # short a time as possible: parts of a split import update them too.
        if self.deferred_counts is not None:
            self.deferred_counts.merge(counts)
        else:
            counts.apply()
        moved = [person["id"] for person, changes in updates if "region_path" in changes]
        if moved:
            residents_moved.send(sender=Person, person_ids=moved)

    def _household_row(self, row: Row, household_id, building) -> tuple:
        v = row.values
        return (household_id, building.id, v.get("unit", ""), v["room"], building.path, "")

    def _household_repr(self, record: tuple) -> str:
        _id, building_id, unit, room, _path, _notes = record
        building = self.index.by_id[building_id]
        return self.address(building.name, unit, room)

    def _update(self, updates: list[tuple[dict, dict]], now) -> None:
        by_fields: dict[tuple[str, ...], list] = {}
        for person, changes in updates:
            fields = tuple(sorted(changes))
            values = [changes[f] for f in fields]
            by_fields.setdefault(fields, []).append((*values, now, person["id"]))
        table = connection.ops.quote_name(Person._meta.db_table)
        for fields, params in by_fields.items():
            columns = [column_of(Person, f) for f in fields] + ["updated_at"]
            assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
            prepared = [
                [
                    own_field(Person, f).get_db_prep_save(value, connection)
                    for f, value in zip([*fields, "updated_at", "id"], values, strict=True)
                ]
                for values in params
            ]
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", prepared)

    # Exporting -----------------------------------------------------------------------------

    def export_count(self, *, region, filters: dict) -> int | None:
        return None if filters else region.resident_count

    def export_rows(self, *, region, reveal: bool, filters: dict):
        index = RegionIndex(actor=self.actor, within=region.path, levels=list(Level)[3:])
        persons = Person.objects.restrict(self.actor, EXPORT, within=region.path)
        if filters.get("tag"):
            persons = persons.with_tag(filters["tag"])
        if filters.get("residence_status"):
            persons = persons.filter(residence_status=filters["residence_status"])
        fields = [
            "region_path",
            "id",
            "household__building_id",
            "name",
            "id_type",
            "id_number",
            "gender",
            "birth_date",
            "phone",
            "residence_status",
            "household__unit",
            "household__room",
            *TAG_FIELD_NAMES,
            "notes",
        ]
        id_types = {k: str(v) for k, v in IdType.choices}
        statuses = {k: str(v) for k, v in ResidenceStatus.choices}
        genders = {k: str(v) for k, v in Gender.choices}
        yes_no = ("否", "是")
        where: dict[object, tuple[str, ...]] = {}

        def location(building_id, path: str) -> tuple[str, ...]:
            building = index.by_id.get(building_id)
            return (
                building.code if building else "",
                index.ancestor_name(path, Level.STREET),
                index.ancestor_name(path, Level.COMMUNITY),
                index.ancestor_name(path, Level.GRID),
                building.name if building else "",
            )

        # A million rows: each is built from one tuple, with the place columns of its
        # building worked out once per building.
        for rows in keyset_chunks(persons, fields):
            for path, _id, building_id, name, id_type, number, gender, born, phone, status, \
                    unit, room, *flags in rows:  # fmt: skip
                place = where.get(building_id)
                if place is None:
                    place = where[building_id] = location(building_id, path)
                yield [
                    name if reveal else mask_name(name),
                    id_types[id_type],
                    number if reveal else mask_id_number(number),
                    genders[gender],
                    born.isoformat(),
                    phone if reveal else mask_phone(phone),
                    statuses[status],
                    *place,
                    unit,
                    room,
                    *[yes_no[flag] for flag in flags[:-1]],
                    flags[-1],
                ]
