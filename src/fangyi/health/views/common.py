"""What the health pages share: colours in order, labels of zones and facts, errors
renamed to form fields, the person a page is about."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_vary_headers

from fangyi.core.permissions import VIEW
from fangyi.people.models import Person

from ..forms import local_minute
from ..models import Colour, Fact, QuarantineSetting, TestOutcome, TubeKind, Zone
from ..templatetags.health import localized

COLOUR_ORDER: list[str] = [Colour.GREEN, Colour.YELLOW, Colour.ORANGE, Colour.RED]
SEVERITY: dict[str, int] = {colour: rank for rank, colour in enumerate(COLOUR_ORDER)}
FACT_ORDERING = ("-occurred_at", "-id")


VARIANT_LABELS = dict(TubeKind.choices) | dict(QuarantineSetting.choices)
OUTCOME_LABELS = dict(TestOutcome.choices)


def with_vary(response):
    patch_vary_headers(response, ["HX-Request"])
    return response


def renamed_errors(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    """A service's error keys as the form calls its fields (details.area → area)."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(key, key): errors for key, errors in exc.error_dict.items()})


def zone_colour(zone: Zone) -> str | None:
    return (zone.policy.zone_kind(zone.kind) or {}).get("colour")


def zone_kind_label(zone: Zone) -> str:
    kind = zone.policy.zone_kind(zone.kind)
    return localized(kind) if kind else zone.kind


def visible_person(request, pk) -> Person:
    queryset = Person.objects.restrict(request.user, VIEW).select_related("household__building")
    return get_object_or_404(queryset, pk=pk)


def fact_label(fact: Fact) -> str:
    parts = [fact.get_kind_display(), local_minute(fact.occurred_at).replace("T", " ")]
    if fact.outcome:
        parts.append(str(OUTCOME_LABELS.get(fact.outcome, fact.outcome)))
    return " · ".join(parts)
