"""Writing a chunk of planned rows in bulk: the rows, one audit row per object (through
core.audit.BulkChanges), and the region counts, all in the caller's transaction."""

from __future__ import annotations

from collections import defaultdict
from json.encoder import encode_basestring
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper

from fangyi.core.audit import BulkChanges, json_value
from fangyi.core.bulk import JSONText, TableWriter
from fangyi.core.masking import mask_name
from fangyi.core.models import ObjectChange
from fangyi.people.models import PERSON_ROW_COLUMNS, STORED_TAGS, Household, Person
from fangyi.regions.models import Region, ancestor_paths

TAG_FIELD_NAMES = [field for field, _slug, _label in STORED_TAGS]
HOUSEHOLD_COLUMNS = ["id", "building_id", "unit", "room", "region_path", "notes"]
PERSON_COLUMNS = [*PERSON_ROW_COLUMNS, "notes"]
# Audit snapshots name a household by "household", as people.services does.
AUDIT_NAMES = {"household_id": "household"}
# The audit documents of created persons and households, as json.dumps(ensure_ascii=False)
# would write them, filled in with each row's quoted texts: a million dicts encoded one by
# one cost more than writing them.
PERSON_AFTER = (
    '{"household": %s, "name": %s, "gender": %s, "birth_date": %s, "id_type": %s, '
    '"id_number": %s, "phone": %s, "residence_status": %s, '
    + "".join(f'"{field}": %s, ' for field in TAG_FIELD_NAMES)
    + '"notes": %s}'
)
HOUSEHOLD_AFTER = '{"building": %s, "unit": %s, "room": %s, "notes": %s}'
JSON_BOOLEANS = {False: "false", True: "true"}


def _moment(now):
    # Repeated on every row: as text, COPY takes it without a conversion per row.
    return now.isoformat() if connection.vendor == "postgresql" else now


def household_writer(now) -> TableWriter:
    moment = _moment(now)
    return TableWriter(Household, HOUSEHOLD_COLUMNS, {"created_at": moment, "updated_at": moment})


def person_writer(now) -> TableWriter:
    moment = _moment(now)
    return TableWriter(Person, PERSON_COLUMNS, {"created_at": moment, "updated_at": moment})


def own_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """A field of the model's own table, as hand-written SQL names it: never a reverse relation."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise FieldDoesNotExist(f"{model.__name__}.{name} is a reverse relation")
    return field


def column_of(model: type[models.Model], name: str) -> str:
    column = own_field(model, name).column
    if column is None:
        raise FieldDoesNotExist(f"{model.__name__}.{name} has no column")
    return column


def max_length(model: type[models.Model], name: str) -> int:
    """How many characters a text field holds: the ledgers check it before writing."""
    length = own_field(model, name).max_length
    if length is None:
        raise FieldDoesNotExist(f"{model.__name__}.{name} has no max_length")
    return length


class AuditWriter:
    """One ObjectChange per created or changed object of a chunk, in the ledgers' terms, written
    in bulk by core.audit.BulkChanges."""

    def __init__(self, *, actor, time=None):
        self.changes = BulkChanges(actor=actor, time=time)

    def add(self, *, obj_type: str, obj_id, repr_: str, path: str, action: str, before, after):
        self.changes.add(
            object_type=obj_type,
            object_id=obj_id,
            object_repr=repr_,
            region_path=path,
            action=action,
            before=before,
            after=after,
        )

    def person_created(self, record: tuple) -> None:
        (person_id, household_id, path, name, gender, birth_date, id_type, number, _tail,
         phone, status, *rest) = record  # fmt: skip
        quoted = encode_basestring
        after = PERSON_AFTER % (
            quoted(str(household_id)),
            quoted(name),
            quoted(gender),
            quoted(birth_date.isoformat()),
            quoted(id_type),
            quoted(number),
            quoted(phone),
            quoted(status),
            *[JSON_BOOLEANS[flag] for flag in rest[: len(TAG_FIELD_NAMES)]],
            quoted(rest[-1]),
        )
        self.changes.add(
            object_type="people.person",
            object_id=person_id,
            object_repr=mask_name(name),
            region_path=path,
            action=ObjectChange.CREATE,
            before=None,
            after=JSONText(after),
        )

    def person_updated(self, person: dict, changes: dict) -> None:
        shown = [k for k in changes if k != "region_path"]
        self.add(
            obj_type="people.person",
            obj_id=person["id"],
            repr_=mask_name(changes.get("name", person["name"])),
            path=changes.get("region_path", person["region_path"]),
            action=ObjectChange.UPDATE,
            before={AUDIT_NAMES.get(k, k): json_value(person[k]) for k in shown},
            after={AUDIT_NAMES.get(k, k): json_value(changes[k]) for k in shown},
        )

    def household_created(self, record: tuple, repr_: str = "") -> None:
        household_id, building_id, unit, room, path, notes = record
        quoted = encode_basestring
        after = HOUSEHOLD_AFTER % (
            quoted(str(building_id)),
            quoted(unit),
            quoted(room),
            quoted(notes),
        )
        self.changes.add(
            object_type="people.household",
            object_id=household_id,
            object_repr=repr_ or room,
            region_path=path,
            action=ObjectChange.CREATE,
            before=None,
            after=JSONText(after),
        )

    def flush(self) -> None:
        self.changes.flush()


class CountDeltas:
    """Resident and household count changes per building, applied along each ancestor chain
    in one statement per region touched."""

    def __init__(self) -> None:
        self.by_path: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def add(self, path: str, *, residents: int = 0, households: int = 0) -> None:
        delta = self.by_path[path]
        delta[0] += residents
        delta[1] += households

    def merge(self, other: CountDeltas) -> None:
        for path, (residents, households) in other.by_path.items():
            self.add(path, residents=residents, households=households)

    def apply(self, using: BaseDatabaseWrapper | None = None) -> None:
        """On `using`, a connection other than the default (an empty load's writer)."""
        using = using or connection
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for path, (residents, households) in self.by_path.items():
            for ancestor in ancestor_paths(path):
                totals[ancestor][0] += residents
                totals[ancestor][1] += households
        params = [(r, h, path) for path, (r, h) in sorted(totals.items()) if r or h]
        if params:
            table = using.ops.quote_name(Region._meta.db_table)
            with using.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET resident_count = resident_count + %s, "
                    "household_count = household_count + %s WHERE path = %s",
                    params,
                )
        self.by_path.clear()
