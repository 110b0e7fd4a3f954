"""Notices: the only code that writes them. Check permission, validate, write, audit.

A notice is written as a draft for regions, published (one row changes: residents find it by
their building's path among its regions' paths), and may be withdrawn with a reason, which
residents then see in its place. Publishing queues one SMS per resident of its regions who has
a mobile number and has never logged in to the portal, in one INSERT … SELECT; the sender
(`send_due_sms`, every minute and once at publishing) sends them at the rate the SMS backend
allows (FANGYI_NOTICE_SMS_PER_MINUTE) and retries failures a few times.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.models import ObjectChange
from fangyi.core.paths import next_prefix, under
from fangyi.core.permissions import (
    ADD,
    CHANGE,
    EVERYWHERE,
    VIEW,
    Actor,
    can,
    minimal_paths,
    require,
    scope_paths,
)
from fangyi.people.models import Household, Person, ResidenceStatus
from fangyi.portal import sms
from fangyi.regions.filters import top_regions
from fangyi.regions.models import Region, ancestor_paths

from .area import NOTICE, NOTICE_REACH
from .models import (
    Notice,
    NoticeRead,
    NoticeRegion,
    NoticeState,
    PortalResident,
    SmsSend,
    SmsState,
    ToldInPerson,
)

MAX_TITLE = 60
MAX_BODY = 2000
MAX_REASON = 200
MAX_REGIONS = 20
# How many times an SMS is tried before it is left failed, and how long between tries.
SMS_ATTEMPTS = 3
SMS_RETRY_AFTER = datetime.timedelta(minutes=5)
# What of the text fits an SMS beside the title; the rest is on the portal and the door.
SMS_BODY_CHARS = 50
# Queueing at least this many SMS refreshes the table's statistics at once (finding 51).
ANALYZE_AFTER = 1000
FIELDS = ["title", "body", "ask_confirm", "state", "region_id"]


def sms_per_minute() -> int:
    return max(1, int(getattr(settings, "FANGYI_NOTICE_SMS_PER_MINUTE", 600)))


# Who sees which notice


def _target_condition(paths: list[str]) -> Q:
    """Notice regions that reach a region of `paths`: at, above or below it."""
    condition = Q(path__in={ancestor for path in paths for ancestor in ancestor_paths(path)})
    for path in paths:
        condition |= under("path", path)
    return condition


def visible_notices(user: Actor) -> QuerySet[Notice]:
    """The notices a member of staff may see: those published (or withdrawn) for a region
    at, above or below theirs, and the drafts they may change."""
    paths = scope_paths(user, NOTICE, VIEW)
    if paths is EVERYWHERE:
        return Notice.objects.all()
    if not paths:
        return Notice.objects.none()
    reaching = NoticeRegion.objects.filter(_target_condition(paths)).values("notice_id")
    drafts = Notice.objects.restrict(user, CHANGE).values("pk")
    return Notice.objects.filter(
        (Q(pk__in=reaching) & ~Q(state=NoticeState.DRAFT)) | Q(pk__in=drafts)
    )


def resident_notices(person: Person) -> QuerySet[Notice]:
    """The notices for the resident's building, or a region above it, once published (a
    withdrawn one stays, showing why)."""
    reaching = NoticeRegion.objects.filter(path__in=ancestor_paths(person.region_path)).values(
        "notice_id"
    )
    return Notice.objects.filter(pk__in=reaching).exclude(state=NoticeState.DRAFT)


def may_change(user: Actor, notice: Notice) -> bool:
    return can(user, NOTICE, CHANGE, notice.region_path)


def target_paths(notice: Notice) -> list[str]:
    return sorted(notice.targets.values_list("path", flat=True))


def _under_any(field: str, paths: list[str]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= under(field, path)
    return condition


# Validation


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("请填写此项。")})
    if len(value) > limit:
        raise ValidationError({field: _("最多 %(max)d 个字。") % {"max": limit}})
    return value


def _check_regions(actor: Actor, regions) -> list[Region]:
    regions = list(dict.fromkeys(regions))
    if not regions:
        raise ValidationError({"regions": _("请至少选择一个区域。")})
    if len(regions) > MAX_REGIONS:
        raise ValidationError({"regions": _("最多 %(max)d 个区域。") % {"max": MAX_REGIONS}})
    for region in regions:
        if not can(actor, NOTICE, ADD, region.path):
            raise ValidationError(
                {"regions": _("您无权向 %(name)s 发布通知。") % {"name": region.name}}
            )
    # A region inside another chosen one adds nobody.
    kept = set(minimal_paths(region.path for region in regions))
    return sorted((region for region in regions if region.path in kept), key=lambda r: r.path)


def _common_region(regions: list[Region]) -> Region:
    """The nearest region at or above every one of `regions`."""
    paths = [region.path for region in regions]
    common = ""
    for candidate in ancestor_paths(paths[0]):
        if all(path.startswith(candidate) for path in paths):
            common = candidate
    if not common:
        # Regions of different provinces: kept by the first one's province.
        common = ancestor_paths(paths[0])[0]
    return Region.objects.get(path=common)


def _snapshot(notice: Notice, regions: list[Region]) -> dict:
    return audit.snapshot(notice, FIELDS) | {"regions": [region.code for region in regions]}


def _set_targets(notice: Notice, regions: list[Region]) -> None:
    notice.targets.all().delete()
    NoticeRegion.objects.bulk_create(
        NoticeRegion(notice=notice, region=region, path=region.path) for region in regions
    )


# Writing, publishing, withdrawing


def create_notice(
    *, actor: Actor, title: str, body: str, regions, ask_confirm: bool = False
) -> Notice:
    """A draft notice for `regions` (each in the actor's scope to publish to)."""
    if not can(actor, NOTICE, ADD):
        raise PermissionDenied(_("您无权起草通知。"))
    title = _text(title, "title", MAX_TITLE)
    body = _text(body, "body", MAX_BODY)
    regions = _check_regions(actor, regions)
    region = _common_region(regions)
    with transaction.atomic():
        notice = Notice.objects.create(
            title=title,
            body=body,
            ask_confirm=bool(ask_confirm),
            region=region,
            region_path=region.path,
            created_by=audit.actor_fields(actor)["actor"],
        )
        _set_targets(notice, regions)
        audit.record_change(
            actor=actor,
            action=ObjectChange.CREATE,
            obj=notice,
            before=None,
            after=_snapshot(notice, regions),
            region_path=notice.region_path,
        )
    return notice


def _locked(actor: Actor, notice: Notice) -> Notice:
    require(actor, NOTICE, CHANGE, notice.region_path, message=_("您无权修改该通知。"))
    return Notice.objects.select_for_update().get(pk=notice.pk)


def _regions_of(notice: Notice) -> list[Region]:
    return [target.region for target in notice.targets.select_related("region").order_by("path")]


def update_notice(*, actor: Actor, notice: Notice, changes: dict) -> Notice:
    """Changes a draft: title, body, ask_confirm, regions. A published notice is withdrawn
    and written anew instead, so that what residents read is never changed under them."""
    unknown = set(changes) - {"title", "body", "ask_confirm", "regions"}
    if unknown:
        raise ValidationError({name: _("不能修改此字段。") for name in unknown})
    with transaction.atomic():
        notice = _locked(actor, notice)
        if notice.state != NoticeState.DRAFT:
            raise ValidationError({"state": _("只有草稿可以修改；已发布的通知请撤回后重新起草。")})
        old_regions = _regions_of(notice)
        before = _snapshot(notice, old_regions)
        if "title" in changes:
            notice.title = _text(changes["title"], "title", MAX_TITLE)
        if "body" in changes:
            notice.body = _text(changes["body"], "body", MAX_BODY)
        if "ask_confirm" in changes:
            notice.ask_confirm = bool(changes["ask_confirm"])
        regions = old_regions
        if "regions" in changes:
            regions = _check_regions(actor, changes["regions"])
            region = _common_region(regions)
            notice.region, notice.region_path = region, region.path
            _set_targets(notice, regions)
        notice.save()
        audit.record_updated(
            actor=actor, obj=notice, before=before, after=_snapshot(notice, regions)
        )
    return notice


def publish_notice(*, actor: Actor, notice: Notice) -> Notice:
    """Publishes a draft: residents of its regions see it at once; the SMS to those without
    the portal are queued once the transaction commits."""
    with transaction.atomic():
        notice = _locked(actor, notice)
        if notice.state != NoticeState.DRAFT:
            raise ValidationError({"state": _("该通知已发布或已撤回。")})
        before = audit.snapshot(notice, ["state", "published_at"])
        notice.state = NoticeState.PUBLISHED
        notice.published_at = timezone.now()
        notice.published_by_name = audit.actor_fields(actor)["actor_name"]
        notice.save(update_fields=["state", "published_at", "published_by_name"])
        audit.record_updated(
            actor=actor,
            obj=notice,
            before=before,
            after=audit.snapshot(notice, ["state", "published_at"]),
        )
        transaction.on_commit(lambda: _enqueue_sms(notice.pk))
    return notice


def _enqueue_sms(notice_id) -> None:
    from .tasks import queue_sms_task

    queue_sms_task.enqueue(str(notice_id))


def withdraw_notice(*, actor: Actor, notice: Notice, reason: str) -> Notice:
    """Withdraws a published notice with a reason, which residents see in its place; the SMS
    not yet sent are cancelled."""
    reason = _text(reason, "reason", MAX_REASON)
    with transaction.atomic():
        notice = _locked(actor, notice)
        if notice.state != NoticeState.PUBLISHED:
            raise ValidationError({"state": _("只有已发布的通知可以撤回。")})
        fields = ["state", "withdrawn_at", "withdrawal_reason"]
        before = audit.snapshot(notice, fields)
        notice.state = NoticeState.WITHDRAWN
        notice.withdrawn_at = timezone.now()
        notice.withdrawal_reason = reason
        notice.withdrawn_by_name = audit.actor_fields(actor)["actor_name"]
        notice.save(update_fields=[*fields, "withdrawn_by_name"])
        SmsSend.objects.filter(notice=notice, state__in=[SmsState.QUEUED, SmsState.FAILED]).update(
            state=SmsState.CANCELLED, error=_("通知已撤回")
        )
        audit.record_updated(
            actor=actor, obj=notice, before=before, after=audit.snapshot(notice, fields)
        )
    return notice


# Residents: reading and confirming


def _resident_notice(person: Person, notice_id) -> Notice:
    return resident_notices(person).get(pk=notice_id)


def read_notice(*, person: Person, notice_id) -> tuple[Notice, NoticeRead]:
    """The notice for the resident, recorded as read the first time it is opened.
    Notice.DoesNotExist when it is not for them."""
    notice = _resident_notice(person, notice_id)
    read, _created = NoticeRead.objects.get_or_create(
        notice=notice,
        person=person,
        defaults={
            "household_id": person.household_id,
            "region_path": person.region_path,
            "read_at": timezone.now(),
        },
    )
    return notice, read


def confirm_notice(*, person: Person, notice_id) -> NoticeRead:
    """The resident confirms they have read a notice that asks for it (once; again is a
    no-op). The read is its own record: who, which notice, when."""
    notice, read = read_notice(person=person, notice_id=notice_id)
    if not notice.ask_confirm:
        raise ValidationError({"notice": _("该通知无需确认。")})
    if notice.state != NoticeState.PUBLISHED:
        raise ValidationError({"notice": _("该通知已撤回，无需确认。")})
    if read.confirmed_at is None:
        NoticeRead.objects.filter(pk=read.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now()
        )
        read.refresh_from_db()
    return read


def reads_of(person: Person, notices) -> dict:
    """{notice id: NoticeRead} of the resident's reads among `notices`."""
    return {
        read.notice_id: read
        for read in NoticeRead.objects.filter(person=person, notice__in=list(notices))
    }


# SMS


def _db(value, field):
    return field.get_db_prep_value(value, connection, prepared=False)


def queue_sms(*, notice_id) -> int:
    """Queues an SMS of a published notice to each resident of its regions with a mobile
    number who has never logged in to the portal and has not read it: one INSERT … SELECT,
    once per notice (a second call queues nothing). Returns how many were queued."""
    now = timezone.now()
    with transaction.atomic():
        claimed = Notice.objects.filter(
            pk=notice_id, state=NoticeState.PUBLISHED, sms_queued_at__isnull=True
        ).update(sms_queued_at=now)
        if not claimed:
            return 0
        paths = sorted(
            NoticeRegion.objects.filter(notice_id=notice_id).values_list("path", flat=True)
        )
        ranges = " OR ".join(["(p.region_path >= %s AND p.region_path < %s)"] * len(paths))
        bounds = [bound for path in paths for bound in (path, next_prefix(path))]
        if connection.vendor == "postgresql":
            # Ids in the order the rows are written (the queueing second, the notice's first
            # eight hex digits, then a row number): random ones scattered 310,000 inserts over
            # the primary-key index, 80 s against 50 s for a city at load 22.
            new_id = (
                "(lpad(to_hex(extract(epoch FROM now())::bigint), 8, '0') "
                "|| left(replace(%s::text, '-', ''), 8) "
                "|| lpad(to_hex(row_number() OVER ()), 16, '0'))::uuid"
            )
        else:
            new_id = "lower(hex(randomblob(16)))"
        pk = _db(notice_id, Notice._meta.pk)
        when = connection.ops.adapt_datetimefield_value(now)
        sql = f"""
            INSERT INTO notices_smssend (id, notice_id, person_id, household_id, region_path,
                phone, state, attempts, queued_at, due_at, error)
            SELECT {new_id}, %s, p.id, p.household_id, p.region_path, p.phone, %s, 0, %s, %s, ''
            FROM people_person p
            WHERE ({ranges}) AND p.phone <> '' AND p.residence_status <> %s
              AND NOT EXISTS (SELECT 1 FROM notices_portalresident r WHERE r.person_id = p.id)
              AND NOT EXISTS (SELECT 1 FROM notices_noticeread n
                              WHERE n.notice_id = %s AND n.person_id = p.id)
            ON CONFLICT (notice_id, person_id) DO NOTHING
        """
        params = [
            *([pk] if connection.vendor == "postgresql" else []),
            pk,
            SmsState.QUEUED.value,
            when,
            when,
            *bounds,
            ResidenceStatus.AWAY.value,
            pk,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            queued = max(cursor.rowcount, 0)
        Notice.objects.filter(pk=notice_id).update(sms_queued=queued)
    if queued >= ANALYZE_AFTER and connection.vendor == "postgresql":
        # Until autovacuum gets to it, the planner knows only the notices of the last ANALYZE
        # and takes a new one for a handful of rows: it then reads all of a city's SMS once
        # per household of a grid's "not reached" list (1.7 s quiet, 11 s at load 13,
        # against 1-5 ms with the notice counted). A sample of 30,000 rows: under a second.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE notices_smssend")
    return queued


def sms_text(notice: Notice) -> str:
    body = " ".join(notice.body.split())
    if len(body) > SMS_BODY_CHARS:
        body = body[:SMS_BODY_CHARS] + "…"
    return _("【防疫通知】%(title)s：%(body)s 详见居民端或楼栋公告。") % {
        "title": notice.title,
        "body": body,
    }


@dataclass
class SmsRun:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    budget: int = 0


def send_due_sms(*, now: datetime.datetime | None = None) -> SmsRun:
    """Sends the SMS that are due, no more than the backend's rate allows in any minute
    (counting those tried in the last 60 seconds). A failure is tried again after
    SMS_RETRY_AFTER, SMS_ATTEMPTS times in all; a resident who has read the notice on the
    portal meanwhile is skipped."""
    now = now or timezone.now()
    run = SmsRun()
    tried = SmsSend.objects.filter(attempted_at__gt=now - datetime.timedelta(seconds=60)).count()
    run.budget = max(0, sms_per_minute() - tried)
    if not run.budget:
        return run
    due = list(
        SmsSend.objects.filter(
            state__in=[SmsState.QUEUED, SmsState.FAILED],
            due_at__lte=now,
            attempts__lt=SMS_ATTEMPTS,
            notice__state=NoticeState.PUBLISHED,
        )
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[: run.budget]
    )
    if not due:
        return run
    # Claimed by one UPDATE: a second sender running at the same time takes other rows.
    SmsSend.objects.filter(pk__in=due, state__in=[SmsState.QUEUED, SmsState.FAILED]).update(
        state=SmsState.SENDING, attempted_at=now
    )
    rows = list(
        SmsSend.objects.filter(pk__in=due, state=SmsState.SENDING, attempted_at=now)
        .select_related("notice")
        .order_by("due_at", "id")
    )
    read = set(
        NoticeRead.objects.filter(
            Q(notice_id__in={row.notice_id for row in rows}),
            Q(person_id__in=[row.person_id for row in rows]),
        ).values_list("notice_id", "person_id")
    )
    for row in rows:
        if (row.notice_id, row.person_id) in read:
            SmsSend.objects.filter(pk=row.pk).update(
                state=SmsState.CANCELLED, error=_("已在居民端阅读")
            )
            run.skipped += 1
            continue
        try:
            sms.send(row.phone, sms_text(row.notice))
        except Exception as exc:  # noqa: BLE001  (any gateway error is recorded and retried)
            SmsSend.objects.filter(pk=row.pk).update(
                state=SmsState.FAILED,
                attempts=row.attempts + 1,
                due_at=now + SMS_RETRY_AFTER,
                error=(str(exc) or type(exc).__name__)[:200],
            )
            run.failed += 1
        else:
            SmsSend.objects.filter(pk=row.pk).update(
                state=SmsState.SENT, attempts=row.attempts + 1, sent_at=timezone.now(), error=""
            )
            run.sent += 1
    return run


# Grid staff: households not reached, told in person


def _reach_scope(user: Actor, action: str) -> list[str] | None:
    """The user's region paths for reaching households; None for everywhere."""
    paths = scope_paths(user, NOTICE_REACH, action)
    return None if paths is EVERYWHERE else list(paths)


def households_for(notice: Notice, user: Actor, *, within: str = "") -> QuerySet[Household]:
    """The households the notice is for, in the user's scope (and `within` a region)."""
    targets = target_paths(notice)
    scope = _reach_scope(user, VIEW)
    households = Household.objects.filter(_under_any("region_path", targets))
    if scope is not None:
        households = households.filter(_under_any("region_path", scope))
    if within:
        households = households.filter(under("region_path", within))
    return households


def unreached_households(notice: Notice, user: Actor, *, within: str = "") -> QuerySet[Household]:
    """Households of the notice not reached yet: no member read it on the portal or was
    sent its SMS, and no one told them in person.

    Members carry their household's building path, so each test looks up one building's rows
    of the notice through the (notice, region_path, household_id) indexes."""
    same_household = {
        "notice": notice,
        "region_path": OuterRef("region_path"),
        "household_id": OuterRef("pk"),
    }
    return (
        households_for(notice, user, within=within)
        .exclude(Exists(NoticeRead.objects.filter(**same_household)))
        .exclude(Exists(SmsSend.objects.filter(**same_household, state=SmsState.SENT)))
        .exclude(Exists(ToldInPerson.objects.filter(notice=notice, household_id=OuterRef("pk"))))
    )


def mark_told(*, actor: Actor, notice: Notice, household: Household) -> ToldInPerson:
    """Records that the household was told the notice in person; again is a no-op."""
    require(
        actor,
        NOTICE_REACH,
        ADD,
        household.region_path,
        message=_("您无权为该户登记已当面告知。"),
    )
    if notice.state != NoticeState.PUBLISHED:
        raise ValidationError({"notice": _("只有已发布的通知可以登记告知。")})
    if not any(household.region_path.startswith(path) for path in target_paths(notice)):
        raise ValidationError({"household": _("该户不在此通知的范围内。")})
    with transaction.atomic():
        who = audit.actor_fields(actor)
        told, created = ToldInPerson.objects.get_or_create(
            notice=notice,
            household=household,
            defaults={
                "region_path": household.region_path,
                "told_by": who["actor"],
                "told_by_name": who["actor_name"],
                "told_at": timezone.now(),
            },
        )
        if created:
            audit.record_created(
                actor=actor, obj=told, fields=["notice_id", "household_id", "told_at"]
            )
    return told


# Counts


def default_region(user: Actor, notice: Notice) -> Region | None:
    """Where a user's counts of a notice start: its own region if they see it, or else the
    first of their regions that the notice reaches."""
    if Region.objects.restrict(user, VIEW).filter(pk=notice.region_id).exists():
        return notice.region
    targets = target_paths(notice)
    for top in top_regions(user):
        if any(top.path.startswith(t) or t.startswith(top.path) for t in targets):
            return top
    return None


@dataclass
class ReachRow:
    region: Region
    households: int
    residents: int
    households_reached: int = 0
    residents_reached: int = 0
    read: int = 0
    confirmed: int = 0
    sms_sent: int = 0
    told: int = 0

    @property
    def households_unreached(self) -> int:
        return max(0, self.households - self.households_reached)


def _grouped(sql: str, params: list) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {path: count for path, count in cursor.fetchall()}


def reach_counts(notice: Notice, region: Region) -> tuple[ReachRow, list[ReachRow]]:
    """(the region's row, a row per child region the notice reaches), each: households and
    residents the notice is for (from the stored counts), reached (read on the portal or sent
    an SMS; households also told in person), read, confirmed, SMS sent and told in person."""
    targets = target_paths(notice)
    children = (
        list(Region.objects.filter(parent=region).order_by("path")) if len(region.path) < 18 else []
    )
    covered = [
        child
        for child in children
        if any(child.path.startswith(t) or t.startswith(child.path) for t in targets)
    ]
    target_regions = {
        target.path: target.region for target in notice.targets.select_related("region")
    }

    def totals(path: str) -> tuple[int, int]:
        if any(path.startswith(t) for t in targets):
            found = region if path == region.path else next(c for c in covered if c.path == path)
            return found.household_count, found.resident_count
        inside = [target_regions[t] for t in targets if t.startswith(path)]
        return sum(r.household_count for r in inside), sum(r.resident_count for r in inside)

    rows = {path: ReachRow(r, *totals(path)) for path, r in [(c.path, c) for c in covered]}
    top = ReachRow(region, *totals(region.path))
    length = len(covered[0].path) if covered else len(region.path)
    pk = _db(notice.pk, Notice._meta.pk)
    low, high = region.path, next_prefix(region.path)
    sent = SmsState.SENT.value
    people = f"""
        SELECT person_id, household_id, region_path FROM notices_noticeread
        WHERE notice_id = %s AND region_path >= %s AND region_path < %s
        UNION
        SELECT person_id, household_id, region_path FROM notices_smssend
        WHERE notice_id = %s AND state = '{sent}' AND region_path >= %s AND region_path < %s
    """
    households = f"""
        SELECT household_id, region_path FROM ({people}) AS reached_people
        UNION
        SELECT household_id, region_path FROM notices_toldinperson
        WHERE notice_id = %s AND region_path >= %s AND region_path < %s
    """
    window = [pk, low, high]
    queries = {
        "residents_reached": (
            f"SELECT substr(region_path, 1, {length}), count(*) FROM ({people}) AS r GROUP BY 1",
            window * 2,
        ),
        "households_reached": (
            f"SELECT substr(region_path, 1, {length}), count(DISTINCT household_id) "
            f"FROM ({households}) AS h GROUP BY 1",
            window * 3,
        ),
        "read": (
            f"SELECT substr(region_path, 1, {length}), count(*) FROM notices_noticeread "
            "WHERE notice_id = %s AND region_path >= %s AND region_path < %s GROUP BY 1",
            window,
        ),
        "confirmed": (
            f"SELECT substr(region_path, 1, {length}), count(*) FROM notices_noticeread "
            "WHERE notice_id = %s AND region_path >= %s AND region_path < %s "
            "AND confirmed_at IS NOT NULL GROUP BY 1",
            window,
        ),
        "sms_sent": (
            f"SELECT substr(region_path, 1, {length}), count(*) FROM notices_smssend "
            f"WHERE notice_id = %s AND region_path >= %s AND region_path < %s "
            f"AND state = '{sent}' GROUP BY 1",
            window,
        ),
        "told": (
            f"SELECT substr(region_path, 1, {length}), count(*) FROM notices_toldinperson "
            "WHERE notice_id = %s AND region_path >= %s AND region_path < %s GROUP BY 1",
            window,
        ),
    }
    for name, (sql, params) in queries.items():
        for path, count in _grouped(sql, params).items():
            row = rows.get(path)
            if row is not None:
                setattr(row, name, getattr(row, name) + count)
            setattr(top, name, getattr(top, name) + count)
    return top, list(rows.values())


@dataclass
class SmsSummary:
    queued: int
    sent: int
    failed: int
    cancelled: int
    gave_up: int


def sms_summary(notice: Notice) -> SmsSummary:
    counts = dict(
        SmsSend.objects.filter(notice=notice)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    gave_up = SmsSend.objects.filter(
        notice=notice, state=SmsState.FAILED, attempts__gte=SMS_ATTEMPTS
    ).count()
    return SmsSummary(
        queued=counts.get(SmsState.QUEUED, 0) + counts.get(SmsState.SENDING, 0),
        sent=counts.get(SmsState.SENT, 0),
        failed=counts.get(SmsState.FAILED, 0),
        cancelled=counts.get(SmsState.CANCELLED, 0),
        gave_up=gave_up,
    )


def remember_portal_resident(person: Person) -> PortalResident:
    resident, _created = PortalResident.objects.get_or_create(
        person=person, defaults={"first_login_at": timezone.now()}
    )
    return resident
