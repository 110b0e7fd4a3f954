"""The grid tree: province → city → district → street → community → grid → building.

Codes follow GB/T 2260 down to district (six digits, zero-padded above it), then add three
digits per level. A region's `path` is the significant prefix of its code, so every
descendant's path starts with it: 35 → 3501 → 350102 → 350102001 → … (18 digits for a
building). Scope checks are index ranges on that prefix (see core.paths).
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from fangyi.core.paths import under
from fangyi.core.querysets import RestrictedQuerySet


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    DISTRICT = 3, _("区县")
    STREET = 4, _("街道")
    COMMUNITY = 5, _("社区")
    GRID = 6, _("网格")
    BUILDING = 7, _("楼栋")


LEVEL_NAMES = {
    "province": Level.PROVINCE,
    "city": Level.CITY,
    "district": Level.DISTRICT,
    "street": Level.STREET,
    "community": Level.COMMUNITY,
    "grid": Level.GRID,
    "building": Level.BUILDING,
}
LEVEL_SLUGS = {value: key for key, value in LEVEL_NAMES.items()}
PATH_LENGTHS = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.DISTRICT: 6,
    Level.STREET: 9,
    Level.COMMUNITY: 12,
    Level.GRID: 15,
    Level.BUILDING: 18,
}
CODE_LENGTHS = {level: max(6, length) for level, length in PATH_LENGTHS.items()}


def looks_like_code(text: str) -> bool:
    """Whether a code from a URL or a form can name a region at all: digits only. Anything
    else is not found without asking the database (PostgreSQL cannot even compare text that
    holds NUL)."""
    return text.isascii() and text.isdigit() and len(text) <= max(CODE_LENGTHS.values())


def path_from_code(code: str, level: int) -> str:
    return code[: PATH_LENGTHS[Level(level)]]


def code_from_path(path: str) -> str:
    return path.ljust(6, "0") if len(path) < 6 else path


def ancestor_paths(path: str) -> list[str]:
    """The path itself and every ancestor's, root first."""
    return [path[:n] for n in sorted(PATH_LENGTHS.values()) if n <= len(path)]


def level_of_path(path: str) -> Level:
    for level, length in PATH_LENGTHS.items():
        if length == len(path):
            return level
    raise ValueError(f"no level has a path of {len(path)} digits")


class RegionQuerySet(RestrictedQuerySet):
    def under(self, path: str):
        return self.filter(under("path", path))


class Region(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("区划代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级"),
    )
    path = models.CharField(max_length=18, unique=True, editable=False)
    # Kept current by people.services and rebuilt by regions.services.refresh_counts, so the
    # tree never counts millions of rows on a page view.
    resident_count = models.PositiveIntegerField(_("居民数"), default=0)
    household_count = models.PositiveIntegerField(_("户数"), default=0)

    objects = RegionQuerySet.as_manager()
    permission_resource = "region"
    scope_path_field = "path"

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        indexes = [models.Index(fields=["level", "path"], name="region_level_path")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = path_from_code(self.code, self.level)
        super().save(*args, **kwargs)

    @property
    def level_slug(self) -> str:
        return LEVEL_SLUGS[Level(self.level)]

    def ancestors(self):
        """Ancestors, root first, without self."""
        paths = ancestor_paths(self.path)[:-1]
        return list(Region.objects.filter(path__in=paths).order_by("level"))


class Boundary(models.Model):
    """A region's outline as GeoJSON (a Polygon or MultiPolygon in WGS84 longitude/latitude),
    drawn by the command screen's map. A table of its own rather than a column of Region:
    regions are read on nearly every page, and an outline of tens of kilobytes would ride
    along with each of them."""

    region = models.OneToOneField(
        Region,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="boundary",
        verbose_name=_("区域"),
    )
    path = models.CharField(max_length=18, editable=False)
    geometry = models.JSONField(_("边界"))
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegionQuerySet.as_manager()
    permission_resource = "region"
    scope_path_field = "path"

    class Meta:
        verbose_name = _("区域边界")
        verbose_name_plural = _("区域边界")
        indexes = [models.Index(fields=["path"], name="region_boundary_path")]

    def __str__(self) -> str:
        return self.path
