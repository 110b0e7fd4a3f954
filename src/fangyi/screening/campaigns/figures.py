"""The campaign page's numbers: each round's state and headline counts, and the pool-size
advice for the prevalence the last round with results observed.

Counts read the indexes that lead with the round (tube_round_state, sample_round_region);
the prevalence reads the few positive tubes and, once, the round's results.
"""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core.permissions import VIEW
from fangyi.health.models import TestOutcome, TubeKind
from fangyi.screening.campaigns import pooling
from fangyi.screening.models import Campaign, Round, Sample, Tube, TubeState

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

UPCOMING, RUNNING, CLOSED = "upcoming", "running", "closed"
ROUND_STATES = {UPCOMING: _("未开始"), RUNNING: _("进行中"), CLOSED: _("已截止")}


def round_state(round: Round, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    if now < round.starts_at:
        return UPCOMING
    if now > round.deadline:
        return CLOSED
    return RUNNING


@dataclass
class RoundFigures:
    tubes: int = 0
    open: int = 0
    closed: int = 0
    resulted: int = 0
    samples: int = 0
    # Persons positive alone in a tube: what coverage counts as positive.
    positive: int = 0
    # Positive pooled tubes, whose members await their single-tube retest.
    positive_pools: int = 0


def round_figures(user, rounds: list[Round]) -> dict:
    """{round id: RoundFigures} over the tubes and samples the user may see. A tube counts as
    closed from sealing on, whether or not the lab has it yet. `positive` is defined as on the
    coverage page: distinct persons with a positive single-tube sample in the round; a positive
    pool's members are not counted, the pool is (`positive_pools`)."""
    figures = {found.pk: RoundFigures() for found in rounds}
    if not figures:
        return figures
    tube_counts = (
        Tube.objects.restrict(user, VIEW)
        .filter(round_id__in=list(figures))
        .values_list("round_id", "state", "result", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for round_id, state, result, kind, n in tube_counts:
        counts = figures[round_id]
        counts.tubes += n
        if result == TestOutcome.POSITIVE and kind == TubeKind.POOLED:
            counts.positive_pools += n
        if state == TubeState.OPEN:
            counts.open += n
        else:
            counts.closed += n
        if state == TubeState.RESULTED:
            counts.resulted += n
    # One pass over the round's samples, as coverage's: the positive single tubes are few.
    single_positive_tubes = Tube.objects.filter(
        round_id__in=list(figures), result=TestOutcome.POSITIVE, kind=TubeKind.SINGLE
    ).values("pk")
    sample_counts = (
        Sample.objects.restrict(user, VIEW)
        .filter(round_id__in=list(figures))
        .values_list("round_id")
        .annotate(
            n=Count("id"),
            positive=Count(
                "person_id",
                distinct=True,
                filter=Q(result=TestOutcome.POSITIVE, tube_id__in=single_positive_tubes),
            ),
        )
        .order_by()
    )
    for round_id, n, positive in sample_counts:
        figures[round_id].samples = n
        figures[round_id].positive = positive
    return figures


@dataclass(frozen=True)
class RoundCard:
    """A round as the campaign page lists it: its state, named, and its headline counts."""

    round: Round
    state: str
    state_label: "StrOrPromise"
    figures: RoundFigures


def round_cards(user, rounds: list[Round]) -> list[RoundCard]:
    counts = round_figures(user, rounds)
    cards = []
    for found in rounds:
        state = round_state(found)
        cards.append(RoundCard(found, state, ROUND_STATES[state], counts[found.pk]))
    return cards


@dataclass(frozen=True)
class Prevalence:
    round: Round
    # Persons positive alone in a tube, and positive pools none of whose members is one yet.
    single_positives: int
    unresolved_pools: int
    tested: int

    @property
    def positives(self) -> int:
        """The estimate's numerator: each unresolved pool stands for one positive person."""
        return self.single_positives + self.unresolved_pools

    @property
    def value(self) -> float:
        return self.positives / self.tested if self.tested else 0.0


def observed_prevalence(campaign: Campaign) -> Prevalence | None:
    """The share of positives in the last round of the campaign with results, or None.

    Estimator: positives / tested, over the whole campaign (a share, naming no one), where

    - tested is the number of samples of the round whose tube came back negative or positive
      (invalid tubes say nothing). Samples, not distinct persons: someone retested alone in
      the same round counts twice, which moves the estimate by far less than the prevalence
      itself wherever pooling pays;
    - positives is the number of persons with a positive single-tube result in the round,
      plus one for each positive pooled tube none of whose members has a positive single
      tube in the round. A positive pool holds at least one positive person; its members are
      retested alone, and once a retest comes back positive that person is counted instead.
      Counting every member of a positive pool would overstate the prevalence by up to the
      pool size — at 0.1 % and pools of 10 it would read 1 % and advise far smaller pools —
      while at the prevalences where pooling pays a positive pool almost always holds
      exactly one positive person.
    """
    last = (
        Round.objects.filter(campaign=campaign)
        .filter(Exists(Tube.objects.filter(round=OuterRef("pk"), state=TubeState.RESULTED)))
        .order_by("-number")
        .first()
    )
    if last is None:
        return None
    positive_tubes = Tube.objects.filter(
        round=last, state=TubeState.RESULTED, result=TestOutcome.POSITIVE
    )
    singles = set(
        Sample.objects.filter(
            tube__in=positive_tubes.filter(kind=TubeKind.SINGLE).values("pk")
        ).values_list("person_id", flat=True)
    )
    pools: dict = {}
    for tube_id, person_id in Sample.objects.filter(
        tube__in=positive_tubes.filter(kind=TubeKind.POOLED).values("pk")
    ).values_list("tube_id", "person_id"):
        pools.setdefault(tube_id, set()).add(person_id)
    unresolved = sum(1 for members in pools.values() if not members & singles)
    tested = Sample.objects.filter(
        round=last, result__in=[TestOutcome.NEGATIVE, TestOutcome.POSITIVE]
    ).count()
    return Prevalence(
        round=last, single_positives=len(singles), unresolved_pools=unresolved, tested=tested
    )


@dataclass(frozen=True)
class Advice:
    prevalence: Prevalence
    optimal_pool_size: int
    expected_tests_per_person: float
    best_allowed_size: int
    best_allowed_expected_tests_per_person: float


def pool_advice(campaign: Campaign) -> Advice | None:
    """Dorfman's advice (pooling.py) for the observed prevalence; None before any result."""
    observed = observed_prevalence(campaign)
    if observed is None or not observed.tested:
        return None
    optimal = pooling.optimal_pool_size(observed.value)
    best, best_tests = pooling.best_allowed(observed.value, campaign.pool_sizes)
    return Advice(
        prevalence=observed,
        optimal_pool_size=optimal,
        expected_tests_per_person=pooling.dorfman(observed.value, optimal),
        best_allowed_size=best,
        best_allowed_expected_tests_per_person=best_tests,
    )
