"""Campaigns, rounds, sites, exemptions, tubes and samples: the only place that writes them.

Keyword-only functions that check permission, validate, write and audit, as elsewhere.
Samplers fill tubes one scan at a time (`open_tube`, `add_to_tube`, `close_tube`); sampling
devices upload whole tubes in batches (`record_samples`), which is written for a city's peak:
a fixed number of queries per batch, whatever its size.
"""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.bulk import JSONText, TableWriter, time_ordered_ids
from fangyi.core.models import ObjectChange
from fangyi.core.permissions import ADD, require
from fangyi.core.sql import among
from fangyi.health.models import TubeKind
from fangyi.people.models import Person
from fangyi.screening.area import SAMPLE
from fangyi.screening.common import (
    CLOCK_SKEW,
    BatchErrors,
    bad_barcode,
    chunks,
    clean_barcode,
    covers,
)
from fangyi.screening.models import (
    Campaign,
    CampaignRegion,
    Round,
    Sample,
    SamplingSite,
    SiteAssignment,
    Tube,
    TubeState,
)
from fangyi.screening.sampling.services import sampler_refusal

TUBE_TYPE = Tube._meta.label_lower


# Batches from sampling devices


@dataclass(frozen=True)
class SampleInput:
    """One tube as a device recorded it: its barcode, who is in it, where and when."""

    tube: str
    persons: list
    site: SamplingSite
    sampled_at: datetime.datetime
    # For a tube this batch creates: default the campaign's default pool size.
    pool_size: int | None = None


@dataclass
class _TubePlan:
    barcode: str
    site: SamplingSite
    round: Round
    pool_size: int
    index: int
    tube: Tube | None = None
    members: set = field(default_factory=set)
    new: dict = field(default_factory=dict)
    first_at: datetime.datetime | None = None
    last_at: datetime.datetime | None = None


def _close_filled(actor, closing: list[tuple[Tube, datetime.datetime]], now) -> None:
    """Closes tubes a batch filled up, at the time of their last swab."""
    # Three parameters a tube: well under either database's limit per statement.
    for chunk in chunks(closing, 1000):
        ids = [tube.pk for tube, _closed_at in chunk]
        Tube.objects.filter(pk__in=ids).update(
            state=TubeState.CLOSED,
            closed_at=Case(*(When(pk=tube.pk, then=Value(at)) for tube, at in chunk)),
        )
        Sample.objects.filter(tube_id__in=ids, in_open_tube=True).update(in_open_tube=False)
    changes = audit.BulkChanges(actor=actor, time=now)
    for tube, at in closing:
        changes.add(
            object_type=TUBE_TYPE,
            object_id=tube.pk,
            object_repr=tube.barcode,
            region_path=tube.region_path,
            action=ObjectChange.UPDATE,
            before={"state": TubeState.OPEN, "closed_at": None},
            after={"state": TubeState.CLOSED, "closed_at": at.isoformat()},
        )
    changes.flush()


def _round_at(rounds: list[Round], moment: datetime.datetime) -> Round | None:
    return next((r for r in rounds if r.starts_at <= moment <= r.deadline), None)


def record_samples(
    *, actor, items: list[SampleInput], now: datetime.datetime | None = None
) -> tuple[int, int]:
    """Stores the samples of a device's batch; answers (received, new).

    Idempotent on (tube, person): a device resending after a lost answer gets the same result,
    and a sample already stored is counted as received, not refused. The batch is a unit: any
    error refuses all of it, naming the item (`3.persons.2`). A tube is created on its first
    sample, with the item's pool size or the campaign's default, and closed once full; its
    round is the one whose window holds the swab's time.
    """
    require(actor, SAMPLE, ADD)
    now = now or timezone.now()
    errors = BatchErrors()
    sites = {item.site.pk: item.site for item in items}
    actor_id = getattr(actor, "pk", None)
    assigned = (
        set(
            SiteAssignment.objects.filter(site_id__in=list(sites), user_id=actor_id).values_list(
                "site_id", flat=True
            )
        )
        if actor_id is not None
        else set()
    )
    refusals = {pk: sampler_refusal(actor, site, pk in assigned) for pk, site in sites.items()}
    campaign_ids = {site.campaign_id for site in sites.values()}
    campaigns = Campaign.objects.in_bulk(list(campaign_ids))
    areas: dict = defaultdict(list)
    for campaign_id, path in CampaignRegion.objects.filter(
        campaign_id__in=list(campaign_ids)
    ).values_list("campaign_id", "path"):
        areas[campaign_id].append(path)
    rounds: dict = defaultdict(list)
    for found in Round.objects.filter(campaign_id__in=list(campaign_ids)):
        rounds[found.campaign_id].append(found)

    plans, wanted = _plan_items(items, refusals, campaigns, rounds, errors, now)
    errors.check()

    paths: dict = {}
    for chunk in chunks(wanted):
        paths.update(Person.objects.filter(among("pk", chunk)).values_list("pk", "region_path"))

    try:
        with transaction.atomic():
            received, written = _write_samples(actor, items, plans, paths, areas, errors, now)
    # COPY reports the driver's own error, which Django has not translated. Every backend's
    # wrapper names its driver module `Database`; the stubs leave it out.
    except (IntegrityError, connection.Database.IntegrityError) as exc:  # type: ignore[attr-defined]
        # A second device, or a resend racing the first upload, wrote some of these meanwhile.
        raise ValidationError(
            {"samples": [_("有采样记录同时被提交，请重新提交本批（已保存的不会重复记录）。")]}
        ) from exc
    return received, written


def _plan_items(items, refusals, campaigns, rounds, errors: BatchErrors, now):
    """Each item checked alone and put in its tube's plan; answers the plans by barcode and
    the ids of every person named."""
    plans: dict[str, _TubePlan] = {}
    wanted: set = set()
    for index, item in enumerate(items):
        if refusals[item.site.pk]:
            errors.add(f"{index}.site", refusals[item.site.pk])
            continue
        campaign = campaigns[item.site.campaign_id]
        barcode = clean_barcode(item.tube)
        if not barcode:
            errors.add(f"{index}.tube", bad_barcode())
            continue
        if timezone.is_naive(item.sampled_at):
            errors.add(f"{index}.sampled_at", _("时间必须带时区。"))
            continue
        if item.sampled_at > now + CLOCK_SKEW:
            errors.add(f"{index}.sampled_at", _("采样时间不能晚于现在。"))
            continue
        round = _round_at(rounds[campaign.pk], item.sampled_at)
        if round is None:
            errors.add(f"{index}.sampled_at", _("采样时间不在本筛查任务的任何轮次内。"))
            continue
        if item.pool_size is not None and item.pool_size not in campaign.pool_sizes:
            errors.add(
                f"{index}.pool_size",
                _("混采人数应为以下之一：%(sizes)s。")
                % {"sizes": "、".join(str(size) for size in campaign.pool_sizes)},
            )
            continue
        if not item.persons:
            errors.add(f"{index}.persons", _("请至少填写一人。"))
            continue
        plan = plans.get(barcode)
        if plan is None:
            plan = plans[barcode] = _TubePlan(
                barcode, item.site, round, item.pool_size or campaign.default_pool_size, index
            )
        elif plan.site.pk != item.site.pk or plan.round.pk != round.pk:
            errors.add(
                f"{index}.tube",
                _("同一条码在本批中对应不同的采样点或轮次（见第 %(first)d 项）。")
                % {"first": plan.index},
            )
            continue
        seen: set = set()
        for position, person_id in enumerate(item.persons):
            if person_id in seen:
                errors.add(f"{index}.persons.{position}", _("同一居民在此项中重复。"))
            seen.add(person_id)
            wanted.add(person_id)
    return plans, wanted


def _write_samples(actor, items, plans, paths, areas, errors, now) -> tuple[int, int]:
    """The batch's checks that need the database, then its rows; answers (received, new)."""
    _lock_existing_tubes(plans, errors)
    received = _plan_members(items, plans, paths, areas, errors)
    _refuse_members_of_other_open_tubes(items, plans, errors)
    rows = _BatchRows(actor, now, sum(len(plan.new) + 1 for plan in plans.values()))
    for plan in plans.values():
        if plan.new:
            rows.add(plan)
    return received, rows.write()


def _lock_existing_tubes(plans: dict[str, _TubePlan], errors: BatchErrors) -> None:
    """The batch's tubes already stored, locked, with their members; refuses a barcode that
    belongs to another site or round."""
    existing: dict[str, Tube] = {}
    for chunk in chunks(plans):
        existing.update(
            (tube.barcode, tube)
            for tube in Tube.objects.select_for_update().filter(
                among("barcode", chunk, kind="text")
            )
        )
    for barcode, tube in existing.items():
        plan = plans[barcode]
        plan.tube = tube
        if tube.site_id != plan.site.pk or tube.round_id != plan.round.pk:
            errors.add(f"{plan.index}.tube", _("该条码已用于其他采样点或轮次。"))
        plan.pool_size = tube.pool_size
    by_tube = {tube.pk: plans[barcode] for barcode, tube in existing.items()}
    for chunk in chunks(by_tube):
        for tube_id, person_id in Sample.objects.filter(among("tube_id", chunk)).values_list(
            "tube_id", "person_id"
        ):
            by_tube[tube_id].members.add(person_id)


def _plan_members(items, plans, paths, areas, errors: BatchErrors) -> int:
    """Who goes into which tube, checked against the campaign's area, the tube's size and
    state, and the batch itself; answers how many persons the batch named."""
    received = 0
    round_of_person: dict = {}
    for index, item in enumerate(items):
        plan = plans[item.tube.strip()]
        campaign_areas = areas[item.site.campaign_id]
        for position, person_id in enumerate(item.persons):
            received += 1
            key = f"{index}.persons.{position}"
            path = paths.get(person_id)
            if path is None:
                errors.add(key, _("没有这个居民。"))
                continue
            if not covers(campaign_areas, path):
                errors.add(key, _("该居民不在本次筛查的区域内。"))
                continue
            if person_id in plan.members or person_id in plan.new:
                continue
            other = round_of_person.setdefault((plan.round.pk, person_id), plan.barcode)
            if other != plan.barcode:
                errors.add(
                    key, _("该居民在本批中被放入本轮两支试管（%(barcode)s）。") % {"barcode": other}
                )
                continue
            plan.new[person_id] = (item.sampled_at, path)
            plan.first_at = min(plan.first_at or item.sampled_at, item.sampled_at)
            plan.last_at = max(plan.last_at or item.sampled_at, item.sampled_at)
    for plan in plans.values():
        if plan.tube is not None and plan.new and plan.tube.state != TubeState.OPEN:
            errors.add(f"{plan.index}.tube", _("该试管已封管，不能再加入。"))
        elif len(plan.members) + len(plan.new) > plan.pool_size:
            errors.add(
                f"{plan.index}.tube",
                _("超出该试管的混采人数（%(size)d 人）。") % {"size": plan.pool_size},
            )
    errors.check()
    return received


def _refuse_members_of_other_open_tubes(items, plans, errors: BatchErrors) -> None:
    """Persons already in another open tube of the same round."""
    fresh = [(plan, person_id) for plan in plans.values() for person_id in plan.new]
    busy: dict = {}
    round_ids = {plan.round.pk for plan, _person in fresh}
    for chunk in chunks({person_id for _plan, person_id in fresh}):
        busy.update(
            ((round_id, person_id), barcode)
            for round_id, person_id, barcode in Sample.objects.filter(
                among("person_id", chunk), in_open_tube=True, round_id__in=round_ids
            ).values_list("round_id", "person_id", "tube__barcode")
        )
    if busy:
        for index, item in enumerate(items):
            plan = plans[item.tube.strip()]
            for position, person_id in enumerate(item.persons):
                other = busy.get((plan.round.pk, person_id))
                if other is not None and other != plan.barcode and person_id in plan.new:
                    errors.add(
                        f"{index}.persons.{position}",
                        _("该居民已在本轮另一支未封管的试管（%(barcode)s）中。")
                        % {"barcode": other},
                    )
        errors.check()


class _BatchRows:
    """The batch's new rows: tubes, samples and their audit rows, written as tuples through
    core.bulk (COPY on PostgreSQL), skipping model instances, which cost more than the
    writing. The audit keeps one row per tube and batch, listing whom it took and when: a
    row per swab doubled what the batch wrote, and the sample rows themselves name their
    sampler."""

    def __init__(self, actor, now, ids_needed: int):
        self.actor, self.now = actor, now
        # Time-ordered ids, taken in the order rows are written: they append to the
        # primary-key indexes instead of landing on random pages of them.
        self.ids = iter(time_ordered_ids(ids_needed))
        self.opened_by_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        self.tubes: list[tuple] = []
        self.samples: list[tuple] = []
        self.closing: list[tuple] = []
        self.changes = audit.BulkChanges(actor=actor, time=now)

    def add(self, plan: _TubePlan) -> None:
        full = len(plan.members) + len(plan.new) == plan.pool_size
        ids = self.ids
        tube_id = next(ids) if plan.tube is None else str(plan.tube.pk)
        round_id, site_id = plan.round.pk, plan.site.pk
        taken = []
        for person_id, (sampled_at, path) in plan.new.items():
            self.samples.append(
                (next(ids), tube_id, person_id, round_id, site_id, sampled_at, path, not full)
            )
            taken.append(f'["{person_id}", "{sampled_at.isoformat()}"]')
        # Ids and times need no escaping: the JSON is written as it is.
        taken_json = "[" + ", ".join(taken) + "]"
        if plan.tube is None:
            self._new_tube(plan, tube_id, full, taken_json)
            return
        if full:
            self.closing.append((plan.tube, plan.last_at))
        self.changes.add(
            object_type=TUBE_TYPE,
            object_id=plan.tube.pk,
            object_repr=plan.barcode,
            region_path=plan.tube.region_path,
            action=ObjectChange.UPDATE,
            before=None,
            after=JSONText(f'{{"samples_added": {taken_json}}}'),
        )

    def _new_tube(self, plan: _TubePlan, tube_id: str, full: bool, taken_json: str) -> None:
        round_id, site_id = plan.round.pk, plan.site.pk
        state = TubeState.CLOSED if full else TubeState.OPEN
        kind = TubeKind.SINGLE if plan.pool_size == 1 else TubeKind.POOLED
        self.tubes.append(
            (tube_id, plan.barcode, round_id, site_id, plan.pool_size, kind, state,
             plan.first_at, plan.last_at if full else None, plan.site.region_path)
        )  # fmt: skip
        after = (
            f'{{"barcode": {json.dumps(plan.barcode)}, "round": "{round_id}", '
            f'"site": "{site_id}", "pool_size": {plan.pool_size}, '
            f'"kind": "{kind.value}", "state": "{state.value}", "samples": {taken_json}}}'
        )
        self.changes.add(
            object_type=TUBE_TYPE,
            object_id=tube_id,
            object_repr=plan.barcode,
            region_path=plan.site.region_path,
            action=ObjectChange.CREATE,
            before=None,
            after=JSONText(after),
        )

    def write(self) -> int:
        """Writes the rows; answers how many samples."""
        opened_by_id, tubes, samples, changes, closing = (
            self.opened_by_id, self.tubes, self.samples, self.changes, self.closing
        )  # fmt: skip
        actor, now = self.actor, self.now
        TableWriter(
            Tube,
            [
                "id",
                "barcode",
                "round_id",
                "site_id",
                "pool_size",
                "kind",
                "state",
                "opened_at",
                "closed_at",
                "region_path",
            ],
            {
                "opened_by_id": opened_by_id,
                "received_at": None,
                "received_by_id": None,
                "result": "",
                "ct_value": None,
                "tested_at": None,
                "resulted_at": None,
            },
        ).write(tubes)
        TableWriter(
            Sample,
            [
                "id",
                "tube_id",
                "person_id",
                "round_id",
                "site_id",
                "sampled_at",
                "region_path",
                "in_open_tube",
            ],
            {"sampler_id": opened_by_id, "result": ""},
        ).write(samples)
        changes.flush()
        _close_filled(actor, closing, now)
        return len(samples)
