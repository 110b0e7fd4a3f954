"""Campaigns, rounds, sites, exemptions, tubes and samples: the only place that writes them.

Keyword-only functions that check permission, validate, write and audit, as elsewhere.
Samplers fill tubes one scan at a time (`open_tube`, `add_to_tube`, `close_tube`); sampling
devices upload whole tubes in batches (`record_samples`), which is written for a city's peak:
a fixed number of queries per batch, whatever its size.
"""

import datetime
import re
from collections.abc import Iterable

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fangyi.screening.models import Campaign

# Printed tube labels: letters, digits and dashes. Anything else is a misread scan.
BARCODE = re.compile(r"[A-Za-z0-9-]{4,32}")
# Sampling devices' clocks drift; a swab a few minutes "in the future" is not an error.
CLOCK_SKEW = datetime.timedelta(minutes=10)
# Ids per IN (…) list: PostgreSQL takes at most 65,535 parameters in one statement.
CHUNK = 10_000


def chunks(values: Iterable, size: int = CHUNK) -> Iterable[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def covers(area_paths: Iterable[str], path: str) -> bool:
    return any(path.startswith(area) for area in area_paths)


def area_paths(campaign: Campaign) -> list[str]:
    return list(campaign.areas.values_list("path", flat=True))


def clean_barcode(raw) -> str:
    """The barcode without surrounding spaces, or "" when it is not one."""
    barcode = raw.strip() if isinstance(raw, str) else ""
    return barcode if BARCODE.fullmatch(barcode) else ""


def bad_barcode() -> str:
    return _("条码应为 4 到 32 位字母、数字或短横线。")


class BatchErrors(dict):
    """Errors of a batch by item key (`3.persons.2`), raised together."""

    def add(self, key: str, message: str) -> None:
        self.setdefault(key, []).append(message)

    def check(self) -> None:
        if self:
            raise ValidationError(dict(self))


def error_text(exc: ValidationError) -> str:
    """A service's refusal as one line, for a page's message."""
    return " ".join(exc.messages)


# Coverage counts are cached for a short while (coverage/services.py); a result, above all a
# positive, must show there at once, as it does on the campaign page, so recording results
# moves every cached count aside.
COVERAGE_GENERATION_KEY = "screening:coverage:generation"


def coverage_generation() -> int:
    generation = cache.get_or_set(COVERAGE_GENERATION_KEY, 0, None)
    # Given a default other than None, get_or_set answers the stored number or that default.
    assert isinstance(generation, int)
    return generation


def results_recorded() -> None:
    """Cached coverage counts no longer hold: results were recorded."""
    try:
        cache.incr(COVERAGE_GENERATION_KEY)
    except ValueError:
        cache.set(COVERAGE_GENERATION_KEY, 1, None)
