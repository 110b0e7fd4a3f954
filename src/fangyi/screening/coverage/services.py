"""Coverage of a screening round ("no one missed"): who was expected, who was sampled, where.

For one round, counted per region at every level from the campaign's regions down to the
building, by where each person lives (`Person.region_path`):

- **expected**: `campaign_services.expected_persons(round)`, the residents living in the campaign's
  regions who are not away and not exempted (from this round or from the whole campaign);
- **sampled**: expected persons with at least one sample in the round whose result is not
  `invalid`. A sample without a result yet counts: it is on its way to the lab. An invalid
  tube means sampling again, so its members count as not sampled until they are;
- **results back** (`resulted`): sampled persons with a negative or positive sample result;
- **positive**: persons living in the campaign's regions with a positive single-tube result in
  the round, whether expected or not (an exempted patient who tested positive is still a case).
  The members of a positive pool are not counted: they await their single-tube retest;
- **percent**: sampled / expected, in per cent; none where nobody is expected.

The counts come from a few queries per subtree, grouped by building path: residents from the
persons' (region_path, id) index; distinct persons sampled, resulted and positive from the
round's samples, which carry their person's `region_path` (so no join with a million persons
is needed); and the few not expected (away, from a partial index, or exempted), who are taken
off both, with their samples found by person. Python adds the buildings up the tree.
A city of a million takes a second or two on PostgreSQL, so each subtree's counts are cached
for `CACHE_SECONDS` and shared by every user (a region's are cut out of a region above it
counted a moment ago): the numbers are the same whoever looks, and `round_coverage` only shows
the regions the user may see (campaign view scope). The missing list (`missing_persons`) is
not cached: a grid worker who has just sampled someone must see them leave it.

`create_home_sampling_tasks` turns the missing persons who cannot come to a sampling site
(bedridden, disabled, elderly living alone, in quarantine) into home-sampling tasks for their
grid team, once per person and round.
"""

import datetime
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.paths import next_prefix, under
from fangyi.core.permissions import (
    ADD,
    CHANGE,
    EVERYWHERE,
    VIEW,
    can,
    minimal_paths,
    require,
    scope_paths,
)
from fangyi.fieldwork.area import TASK
from fangyi.fieldwork.models import TaskKind
from fangyi.fieldwork.services import MAX_TITLE, TaskInput, create_tasks
from fangyi.health.models import Fact, FactKind, TestOutcome, TubeKind
from fangyi.people.models import Person, ResidenceStatus, elderly_born_on_or_before
from fangyi.regions.models import (
    PATH_LENGTHS,
    Level,
    Region,
    ancestor_paths,
    code_from_path,
    level_of_path,
)
from fangyi.screening import common
from fangyi.screening.area import CAMPAIGN
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.models import Campaign, Exemption, Round, Sample, Tube
from fangyi.screening.sampling import services as sampling_services

CACHE_SECONDS = 30
# What the count sets on PostgreSQL for its transaction, and sets back (see `_count`).
PLANNER_SETTINGS = {
    "work_mem": "64MB",
    "jit": "off",
    "enable_sort": "off",
    "max_parallel_workers_per_gather": "0",
}
SHOW_SETTINGS = "SELECT " + ", ".join(f"current_setting('{name}')" for name in PLANNER_SETTINGS)
SET_SETTINGS = "SELECT " + ", ".join(f"set_config('{name}', %s, true)" for name in PLANNER_SETTINGS)
HOME_FIELDS = [
    "id",
    "household_id",
    "region_path",
    "name",
    "birth_date",
    "is_bedridden",
    "is_disabled",
    "lives_alone",
]
# Persons per create_tasks call: a city's first run may find tens of thousands.
TASK_BATCH = 2000
RESULTS_BACK = (TestOutcome.NEGATIVE, TestOutcome.POSITIVE)


@dataclass(frozen=True)
class CoverageRow:
    code: str
    name: str
    level: int
    path: str
    parent: str | None  # the parent's code; None for the top rows
    expected: int
    sampled: int
    resulted: int
    positive: int

    @property
    def missing(self) -> int:
        return self.expected - self.sampled

    @property
    def percent(self) -> float | None:
        if not self.expected:
            return None
        return round(100 * self.sampled / self.expected, 1)


def visible_rounds(user):
    """Rounds of the campaigns the user sees (campaign view scope)."""
    return Round.objects.filter(
        campaign__in=Campaign.objects.restrict(user, VIEW).values("pk")
    ).select_related("campaign")


def _overlaps(path: str, areas: Iterable[str]) -> bool:
    return any(path.startswith(area) or area.startswith(path) for area in areas)


def top_paths(round: Round, user) -> list[str]:
    """The highest regions of the round's campaign that the user may see."""
    areas = common.area_paths(round.campaign)
    scope = scope_paths(user, CAMPAIGN, VIEW)
    if scope is EVERYWHERE:
        return minimal_paths(areas)
    found = [area for area in areas if any(area.startswith(path) for path in scope)]
    found += [path for path in scope if any(path.startswith(area) for area in areas)]
    return minimal_paths(found)


def check_region(round: Round, user, region: Region) -> None:
    """PermissionDenied unless the user may see the round's coverage of this region; a region
    the campaign does not reach is a ValidationError."""
    require(user, CAMPAIGN, VIEW, region.path)
    if not _overlaps(region.path, common.area_paths(round.campaign)):
        raise ValidationError({"region": [_("该区域不在本次筛查的范围内。")]})


# Counting


def _ranges_sql(column: str, paths: list[str]) -> tuple[str, list[str]]:
    parts, params = [], []
    for path in paths:
        parts.append(f"({column} >= %s AND {column} < %s)")
        params += [path, next_prefix(path)]
    return "(" + " OR ".join(parts) + ")", params


def _db(field_owner, value):
    """A UUID as this database stores it (uuid on PostgreSQL, 32 hex digits on SQLite)."""
    return field_owner._meta.pk.get_db_prep_value(value, connection)


def _count_ranges(round: Round, root: str) -> list[str]:
    """The parts of the subtree at `root` inside the campaign's regions."""
    areas = common.area_paths(round.campaign)
    if any(root.startswith(area) for area in areas):
        return [root]
    return minimal_paths(area for area in areas if area.startswith(root))


def _residents_sql(persons_in: str) -> str:
    """Everyone living there, from the (region_path, id) index alone: the expected are these
    less the few not expected, counted apart."""
    q = connection.ops.quote_name
    return f"""
        SELECT p.{q("region_path")}, COUNT(*) FROM {q(Person._meta.db_table)} p
        WHERE {persons_in} GROUP BY p.{q("region_path")}
    """


def _not_expected_query(round: Round, persons_in: str, persons_params: list) -> tuple[str, list]:
    """The not expected: away (from the partial index person_away) or exempted from the round."""
    q = connection.ops.quote_name
    person = q(Person._meta.db_table)
    sql = f"""
        SELECT p.{q("id")} AS id, p.{q("region_path")} AS region_path FROM {person} p
        WHERE {persons_in} AND p.{q("residence_status")} = %s
        UNION
        SELECT p.{q("id")}, p.{q("region_path")}
        FROM {q(Exemption._meta.db_table)} e CROSS JOIN {person} p
        WHERE e.{q("campaign_id")} = %s AND (e.{q("round_id")} IS NULL
            OR e.{q("round_id")} = %s) AND p.{q("id")} = e.{q("person_id")} AND {persons_in}
    """
    params = [
        *persons_params,
        ResidenceStatus.AWAY,
        _db(Campaign, round.campaign_id),
        _db(Round, round.pk),
        *persons_params,
    ]
    return sql, params


def _sampled_query(round_id, samples_in: str, samples_params: list) -> tuple[str, list]:
    """[sampled, resulted, positive] persons per building."""
    q = connection.ops.quote_name
    # Positive means positive alone in a tube: a positive pool's members await their retest.
    single = (
        f"SELECT t.{q('id')} FROM {q(Tube._meta.db_table)} t WHERE t.{q('round_id')} = %s "
        f"AND t.{q('result')} = %s AND t.{q('kind')} = %s"
    )
    # Persons with a valid sample per building, straight from the samples: a sample's
    # region_path is its person's (services keep it so when residents move), so no join with
    # a million persons is needed. DISTINCT counts a person sampled twice (again after an
    # invalid tube, or singly after a pooled positive) once; the samples come in path order
    # from the (round, region_path) index. The not expected who were sampled anyway are taken
    # off afterwards, as a per-row check against them cost more than the count itself.
    sql = f"""
        SELECT s.{q("region_path")},
               COUNT(DISTINCT s.{q("person_id")}),
               COUNT(DISTINCT CASE WHEN s.{q("result")} IN (%s, %s) THEN s.{q("person_id")} END),
               COUNT(DISTINCT CASE WHEN s.{q("result")} = %s AND s.{q("tube_id")} IN ({single})
                                   THEN s.{q("person_id")} END)
        FROM {q(Sample._meta.db_table)} s
        WHERE s.{q("round_id")} = %s AND {samples_in} AND s.{q("result")} <> %s
        GROUP BY s.{q("region_path")}
    """
    params = [
        *RESULTS_BACK,
        TestOutcome.POSITIVE,
        round_id,
        TestOutcome.POSITIVE,
        TubeKind.SINGLE,
        round_id,
        *samples_params,
        TestOutcome.INVALID,
    ]
    return sql, params


def _not_expected_samples_sql(not_expected_sql: str) -> str:
    """The not expected's valid samples, found by person (the (person, round) index): a
    person's samples carry the person's path, so the ranges need not be checked again."""
    q = connection.ops.quote_name
    return f"""
        WITH n AS ({not_expected_sql})
        SELECT s.{q("person_id")}, s.{q("region_path")}, s.{q("result")}
        FROM n CROSS JOIN {q(Sample._meta.db_table)} s
        WHERE s.{q("person_id")} = n.id AND s.{q("round_id")} = %s AND s.{q("result")} <> %s
    """


@dataclass
class _Rollup:
    """Counts per path, each row added to its building and to every level above it down
    from the root's (`lengths`)."""

    lengths: list[int]
    counts: dict[str, list[int]] = field(default_factory=dict)

    def add(self, path: str, numbers: list[int], offset: int) -> None:
        for length in self.lengths:
            if length > len(path):
                break
            total = self.counts.setdefault(path[:length], [0, 0, 0, 0])
            for index, number in enumerate(numbers, start=offset):
                total[index] += int(number or 0)


@contextmanager
def _planner_settings_for_a_city(cursor):
    """For a city: the samples in path order from the index rather than a sort of a million
    rows, no parallel workers (the DISTINCT counts cannot be shared out), memory for the
    DISTINCT counts' sorts, and no JIT, which compiles the sums for longer than they take
    to run."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute(SHOW_SETTINGS)
    previous = cursor.fetchone()
    cursor.execute(SET_SETTINGS, list(PLANNER_SETTINGS.values()))
    yield
    cursor.execute(SET_SETTINGS, previous)


def _take_off_sampled_anyway(cursor, rollup: _Rollup, sql: str, params: list) -> None:
    """The not expected who were sampled anyway leave the sampled and resulted counts."""
    cursor.execute(sql, params)
    sampled_anyway: dict[str, set] = {}
    resulted_anyway: dict[str, set] = {}
    for person_id, path, result in cursor.fetchall():
        sampled_anyway.setdefault(path, set()).add(person_id)
        if result in RESULTS_BACK:
            resulted_anyway.setdefault(path, set()).add(person_id)
    for path, persons in sampled_anyway.items():
        rollup.add(path, [-len(persons), -len(resulted_anyway.get(path, ()))], 1)


def _count(round: Round, root: str) -> dict[str, list[int]]:
    """[expected, sampled, resulted, positive] per path under `root`, every level, rolled up."""
    ranges = _count_ranges(round, root)
    if not ranges:
        return {}
    q = connection.ops.quote_name
    persons_in, persons_params = _ranges_sql(f"p.{q('region_path')}", ranges)
    samples_in, samples_params = _ranges_sql(f"s.{q('region_path')}", ranges)
    round_id = _db(Round, round.pk)
    not_expected_sql, not_expected_params = _not_expected_query(round, persons_in, persons_params)
    rollup = _Rollup([n for n in sorted(PATH_LENGTHS.values()) if n >= len(root)])
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        _planner_settings_for_a_city(cursor),
    ):
        cursor.execute(_residents_sql(persons_in), persons_params)
        for path, number in cursor.fetchall():
            rollup.add(path, [number], 0)
        cursor.execute(
            f"SELECT n.region_path, COUNT(*) FROM ({not_expected_sql}) n GROUP BY n.region_path",
            not_expected_params,
        )
        for path, number in cursor.fetchall():
            rollup.add(path, [-number], 0)
        cursor.execute(*_sampled_query(round_id, samples_in, samples_params))
        for path, *numbers in cursor.fetchall():
            rollup.add(path, numbers, 1)
        _take_off_sampled_anyway(
            cursor,
            rollup,
            _not_expected_samples_sql(not_expected_sql),
            [*not_expected_params, round_id, TestOutcome.INVALID],
        )
    return rollup.counts


def _cache_key(round: Round, path: str, generation: int) -> str:
    return f"screening:coverage:{generation}:{round.pk}:{path}"


def subtree_counts(round: Round, root: str) -> dict[str, list[int]]:
    """The counts under `root`, from the cached counts of the root or of a region above it
    when there are any, else counted now and cached. Counts cached before results were last
    recorded are not used (`common.results_recorded`)."""
    generation = common.coverage_generation()
    keys = (
        {_cache_key(round, path, generation): path for path in ancestor_paths(root)} if root else {}
    )
    keys.setdefault(_cache_key(round, root, generation), root)
    found = cache.get_many(list(keys))
    for key, path in sorted(keys.items(), key=lambda item: len(item[1])):
        if key in found:
            if path == root:
                return found[key]
            return {p: n for p, n in found[key].items() if p.startswith(root)}
    counts = _count(round, root)
    cache.set(_cache_key(round, root, generation), counts, CACHE_SECONDS)
    return counts


def round_coverage(
    round: Round, *, user, region: Region | None = None, depth: int | None = None
) -> list[CoverageRow]:
    """Rows for `region` (or the user's top regions of the campaign) and the regions below it
    down to `depth` levels (None: down to buildings), in tree order (each row before its
    children), keeping only regions the campaign reaches."""
    if not visible_rounds(user).filter(pk=round.pk).exists():
        raise PermissionDenied(_("您没有查看该筛查轮次的权限。"))
    if region is not None:
        check_region(round, user, region)
        roots = [region.path]
    else:
        roots = top_paths(round, user)
    areas = common.area_paths(round.campaign)
    rows: list[CoverageRow] = []
    for root in roots:
        counts = subtree_counts(round, root)
        deepest: int = Level.BUILDING
        if depth is not None:
            deepest = min(Level.BUILDING, level_of_path(root) + max(0, depth))
        regions = (
            Region.objects.filter(under("path", root), level__lte=deepest)
            .order_by("path")
            .values_list("code", "name", "level", "path")
        )
        for code, name, level, path in regions:
            if not _overlaps(path, areas):
                continue
            parent = None
            if path != root:
                parent = code_from_path(path[: PATH_LENGTHS[Level(level - 1)]])
            numbers = counts.get(path, [0, 0, 0, 0])
            rows.append(CoverageRow(code, name, level, path, parent, *numbers))
    return rows


# Who is missing


def _not_sampled(round: Round):
    return ~Exists(
        Sample.objects.filter(person=OuterRef("pk"), round=round).exclude(
            result=TestOutcome.INVALID
        )
    )


def _missing(round: Round, *, user, action: str, within: str):
    """The expected persons under `within` that the user may act on, with no sample in the
    round but invalid ones."""
    # The building's range first: SQLite walks the index by the first range it is given, and
    # the campaign's would be the whole city.
    persons = Person.objects.restrict(
        user, action, within=within
    ) & campaign_services.expected_persons(round)
    return persons.filter(_not_sampled(round)).select_related("household__building")


def missing_persons(round: Round, *, user, region: Region, action: str = VIEW):
    """Expected persons under `region` not sampled yet in the round, among those the user may
    see (or `action` on), with household and building; order and page them by (region_path,
    id). Show them masked (`Person.masked_name`)."""
    if not visible_rounds(user).filter(pk=round.pk).exists():
        raise PermissionDenied(_("您没有查看该筛查轮次的权限。"))
    check_region(round, user, region)
    return _missing(round, user=user, action=action, within=region.path)


# Home sampling


@dataclass(frozen=True)
class HomeTaskCounts:
    eligible: int  # missing persons to be sampled at home
    created: int  # tasks created by this run
    existing: int  # tasks an earlier run created


def create_home_tasks_for_running_rounds(
    *, region: Region | None = None, now: datetime.datetime | None = None
) -> list[tuple[Round, HomeTaskCounts]]:
    """The background sweep (`fangyi screening home-tasks --running`, the periodic task): home
    sampling tasks for every round running now. A campaign that does not reach `region` is
    passed over."""
    now = now or timezone.now()
    rounds = Round.objects.select_related("campaign").filter(starts_at__lte=now, deadline__gte=now)
    outcomes = []
    for found in rounds.order_by("starts_at", "pk"):
        try:
            counts = create_home_sampling_tasks(actor=None, round=found, region=region, now=now)
        except ValidationError:
            continue
        outcomes.append((found, counts))
    return outcomes


def _lead_paths(actor, path: str | None) -> list[str]:
    """The regions (under `path`, if given) where the actor may arrange tasks."""
    adds = scope_paths(actor, TASK, ADD)
    if adds is EVERYWHERE:
        return [path or ""]
    leading = [scope for scope in adds if can(actor, TASK, CHANGE, scope)]
    if path is None:
        return leading
    if any(path.startswith(scope) for scope in leading):
        return [path]
    return [scope for scope in leading if scope.startswith(path)]


def _covered(areas: list[str], paths: list[str]) -> list[str]:
    """The parts of `paths` inside the campaign's regions."""
    found = []
    for path in paths:
        if any(path.startswith(area) for area in areas):
            found.append(path)
        else:
            found += [area for area in areas if area.startswith(path)]
    return minimal_paths(found)


def _home_reasons(person: Person, elderly_before: datetime.date, quarantined: set) -> list[str]:
    """Why the person is to be sampled at home; empty if they can come to a site."""
    reasons = []
    if person.is_bedridden:
        reasons.append(_("卧床"))
    if person.is_disabled:
        reasons.append(_("残疾"))
    if person.lives_alone and person.birth_date <= elderly_before:
        reasons.append(_("独居老人"))
    if person.pk in quarantined:
        reasons.append(_("隔离中"))
    return reasons


def _home_task_paths(
    actor, round: Round, region: Region | None, now: datetime.datetime
) -> list[str]:
    """Where tasks are to be arranged, once the actor may and the round still takes them."""
    if actor is not None and not visible_rounds(actor).filter(pk=round.pk).exists():
        raise PermissionDenied(_("您没有查看该筛查轮次的权限。"))
    areas = common.area_paths(round.campaign)
    if region is not None and not _overlaps(region.path, areas):
        raise ValidationError({"region": [_("该区域不在本次筛查的范围内。")]})
    if now > round.deadline:
        raise ValidationError(
            {"round": [_("%(round)s已截止，不再安排上门采样。") % {"round": round}]}
        )
    if actor is None:
        paths = [region.path] if region is not None else areas
    else:
        paths = _lead_paths(actor, region.path if region is not None else None)
        if not paths:
            raise PermissionDenied(_("只有网格长或上级干部可以安排上门采样。"))
    return _covered(areas, paths)


def _home_candidates(
    round: Round, ranges: list[str], elderly_before: datetime.date, now: datetime.datetime
) -> list[Person]:
    """The missing persons under `ranges` who may be unable to come to a site."""
    in_range = Q(pk__in=[])
    for path in ranges:
        in_range |= under("region_path", path)
    quarantine = Fact.objects.filter(kind=FactKind.QUARANTINE_START, occurred_at__lte=now)
    return list(
        (Person.objects.filter(in_range) & campaign_services.expected_persons(round))
        .filter(_not_sampled(round))
        .filter(
            Q(is_bedridden=True)
            | Q(is_disabled=True)
            | Q(lives_alone=True, birth_date__lte=elderly_before)
            | Q(pk__in=quarantine.values("person_id"))
        )
        .only(*HOME_FIELDS)
        .order_by("region_path", "pk")
    )


def _home_task_items(
    round: Round,
    candidates: list[Person],
    elderly_before: datetime.date,
    now: datetime.datetime,
) -> list[TaskInput]:
    """A task for each candidate with a reason to be sampled at home."""
    quarantined = sampling_services.in_quarantine([person.pk for person in candidates], now=now)
    title = _("上门采样：%(campaign)s%(round)s") % {"campaign": round.campaign.name, "round": round}
    items = []
    for person in candidates:
        reasons = _home_reasons(person, elderly_before, quarantined)
        if reasons:
            items.append(
                TaskInput(
                    kind=TaskKind.HOME_SAMPLING,
                    due_at=round.deadline,
                    person=person,
                    title=title[:MAX_TITLE],
                    notes="、".join(reasons),
                    source_ref=str(person.pk),
                )
            )
    return items


def create_home_sampling_tasks(
    *, actor, round: Round, region: Region | None = None, now: datetime.datetime | None = None
) -> HomeTaskCounts:
    """Home-sampling tasks for the round's missing persons who cannot come to a site: the
    bedridden, the disabled, the elderly living alone and those in quarantine.

    Under `region`, or wherever the actor arranges tasks (a grid leader, an officer or above);
    `actor=None` is the background job, over the whole campaign. A task is due at the round's
    deadline and is created once per person and round (source `screening:<round id>`, source
    reference the person's id), so running this again only adds those newly missing or newly
    vulnerable.
    """
    now = now or timezone.now()
    ranges = _home_task_paths(actor, round, region, now)
    elderly_before = elderly_born_on_or_before(timezone.localdate(now))
    candidates = _home_candidates(round, ranges, elderly_before, now)
    items = _home_task_items(round, candidates, elderly_before, now)
    created = 0
    for start in range(0, len(items), TASK_BATCH):
        created += create_tasks(
            actor=actor,
            source=f"screening:{round.pk}",
            items=items[start : start + TASK_BATCH],
            authorised=actor is None,
        )
    return HomeTaskCounts(eligible=len(items), created=created, existing=len(items) - created)
