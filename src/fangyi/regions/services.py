"""The only place that changes regions."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.permissions import ADD, require

from .area import REGION
from .models import CODE_LENGTHS, PATH_LENGTHS, Level, Region, path_from_code

REGION_FIELDS = ["code", "name", "level", "parent"]


def validate_code(*, code: str, level: int, parent: Region | None) -> None:
    errors = []
    expected = CODE_LENGTHS[Level(level)]
    if not code.isdigit() or len(code) != expected:
        errors.append(
            _("%(level)s代码应为%(n)d位数字。") % {"level": Level(level).label, "n": expected}
        )
    elif level <= Level.DISTRICT and code[PATH_LENGTHS[Level(level)] :] != "0" * (
        6 - PATH_LENGTHS[Level(level)]
    ):
        errors.append(_("代码 %(code)s 不是该层级的 GB/T 2260 代码。") % {"code": code})
    if parent is not None:
        if parent.level != level - 1:
            errors.append(_("上级必须是%(level)s。") % {"level": Level(level - 1).label})
        elif not errors and not path_from_code(code, level).startswith(parent.path):
            errors.append(_("代码应以上级的代码 %(path)s 开头。") % {"path": parent.path})
    elif level != Level.PROVINCE and Region.objects.exists():
        errors.append(_("除省级外，区域必须有上级。"))
    if errors:
        raise ValidationError({"code": errors})


def create_region(
    *, actor, code: str, name: str, level: int, parent: Region | None = None
) -> Region:
    if parent is not None:
        require(actor, REGION, ADD, parent.path)
    if parent is None and not getattr(actor, "is_superuser", False) and actor is not None:
        raise PermissionDenied(_("只有超级管理员可以创建顶级区域。"))
    code, name = (code or "").strip(), (name or "").strip()
    validate_code(code=code, level=level, parent=parent)
    if not name:
        raise ValidationError({"name": _("请填写名称。")})
    if Region.objects.filter(code=code).exists():
        raise ValidationError({"code": _("代码 %(code)s 已存在。") % {"code": code}})
    region = Region(code=code, name=name, level=level, parent=parent)
    with transaction.atomic():
        region.save(force_insert=True)
        audit.record_created(actor=actor, obj=region, fields=REGION_FIELDS)
    return region


def refresh_counts() -> None:
    """Recomputes every region's resident and household counts in a few set-based statements.

    Counts are kept current by each change; this rebuilds them after bulk loads.
    """
    from fangyi.people.models import Household, Person

    person_table = connection.ops.quote_name(Person._meta.db_table)
    household_table = connection.ops.quote_name(Household._meta.db_table)
    region_table = connection.ops.quote_name(Region._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {region_table} SET resident_count = 0, household_count = 0")
        for length in sorted(set(PATH_LENGTHS.values())):
            for table, column in (
                (person_table, "resident_count"),
                (household_table, "household_count"),
            ):
                cursor.execute(
                    f"""
                    UPDATE {region_table} SET {column} = counted.n
                    FROM (SELECT substr(region_path, 1, %s) AS prefix, COUNT(*) AS n
                          FROM {table} GROUP BY substr(region_path, 1, %s)) AS counted
                    WHERE {region_table}.path = counted.prefix
                    """,
                    [length, length],
                )
