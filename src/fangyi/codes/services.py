"""Issuing, revoking and looking up codes. The only place that writes the codes tables.

Showing a display code writes nothing: it is read-only work on the hottest path there is (every
resident's phone, every minute). Signatures are deterministic (RFC 6979) and a display code's
issue time falls on a 10-second slot, so the codes a person may hold at any moment can be
signed again when staff revoke them; revoking also gives the person a new pseudonym, so that
the codes they get afterwards differ from the revoked ones.
"""

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import sql as hot_sql
from fangyi.core.audit import record_access, record_change
from fangyi.core.bulk import as_uuid
from fangyi.core.masking import mask_name
from fangyi.core.models import AccessEvent, ObjectChange
from fangyi.core.permissions import ADD, CHANGE, VIEW, can, require
from fangyi.health.models import Policy, Status
from fangyi.health.services import current_status
from fangyi.people.models import Person

from . import format, keys
from .area import CODE
from .models import CardCode, CodeSubject, RevokedCode


@dataclass(frozen=True)
class IssuedCodeView:
    text: str
    kind: str
    issued_at: datetime.datetime
    expires_at: datetime.datetime
    colour: str | None
    masked_name: str
    id_tail: str
    policy_version: str
    kid: str


# Display codes are issued at the start of a 10-second slot (see the module's docstring).
DISPLAY_SLOT_SECONDS = 10


def id_tail(id_number: str) -> str:
    return (id_number or "")[-4:]


def new_subject() -> str:
    return secrets.token_urlsafe(12)


def subject_for(person_id) -> str:
    """The person's pseudonym, created the first time they get a code."""
    found = CodeSubject.objects.filter(person_id=person_id).values_list("sub", flat=True).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return CodeSubject.objects.create(person_id=person_id, sub=new_subject()).sub
    except IntegrityError:
        # Two requests for the same new person at once: the other one's pseudonym stands.
        return CodeSubject.objects.get(person_id=person_id).sub


def _display_slot(moment: datetime.datetime) -> datetime.datetime:
    seconds = int(moment.timestamp()) // DISPLAY_SLOT_SECONDS * DISPLAY_SLOT_SECONDS
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


def _sign(
    *, name, id_number, sub, colour, policy_version, kind, issued_at, lifetime, key=None
) -> tuple[IssuedCodeView, bytes]:
    key = key or keys.current_key()
    expires_at = issued_at + lifetime
    tail = id_tail(id_number)
    masked = mask_name(name)
    claims = format.person_claims(
        issuer=settings.FANGYI_CODE_ISSUER,
        subject=sub,
        issued_at=int(issued_at.timestamp()),
        expires_at=int(expires_at.timestamp()),
        kind=kind,
        masked_name=masked,
        id_tail=tail,
        policy_version=policy_version,
        colour=colour if kind == format.DISPLAY else None,
    )
    signed = format.sign(claims, key.private_key, kid=key.kid)
    view = IssuedCodeView(
        text=signed.text,
        kind=kind,
        issued_at=issued_at,
        expires_at=expires_at,
        colour=colour,
        masked_name=masked,
        id_tail=tail,
        policy_version=policy_version,
        kid=format.b64url(key.kid),
    )
    return view, signed.revocation_hash


# The display-code hot path (every resident's phone, every minute) in hand-written SQL: an ORM
# query cost more to compile than to run.
def _person_sql(person_expression: str) -> str:
    return f"""
SELECT p.id, p.name, p.id_number, s.sub, st.colour, st.policy_version,
       st.colour IS NULL OR (st.valid_until IS NOT NULL AND st.valid_until <= %s)
FROM {Person._meta.db_table} p
LEFT JOIN {CodeSubject._meta.db_table} s ON s.person_id = p.id
LEFT JOIN {Status._meta.db_table} st ON st.person_id = p.id
WHERE p.id = {person_expression}
"""


_PERSON_BY_ID_SQL = _person_sql("%s")


def _issue_display(row) -> IssuedCodeView:
    raw_id, name, id_number, sub, colour, policy_version, stale = row
    person_id = as_uuid(raw_id)
    if stale:
        status = current_status(Person(pk=person_id))
        colour, policy_version = status.colour, status.policy_version
    issued, _revocation = _sign(
        name=name,
        id_number=id_number,
        sub=sub or subject_for(person_id),
        colour=colour,
        policy_version=policy_version,
        kind=format.DISPLAY,
        issued_at=_display_slot(timezone.now()),
        lifetime=_display_lifetime(),
    )
    return issued


def _display_lifetime() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.FANGYI_DISPLAY_CODE_SECONDS)


def _now_param():
    return connection.ops.adapt_datetimefield_value(timezone.now())


def issue_display_code(*, person_id) -> IssuedCodeView:
    """A code to show on the resident's own phone: the current colour, for a few minutes.

    The caller has already established who the resident is (portal login, or a confirmed
    guardianship).
    """
    row = hot_sql.fetch_one(
        _PERSON_BY_ID_SQL,
        [_now_param(), Person._meta.pk.get_db_prep_value(person_id, connection)],
    )
    if row is None:
        raise Person.DoesNotExist
    return _issue_display(row)


def issue_display_code_where(*, person_sql: str, params: list) -> IssuedCodeView | None:
    """The same for the person an SQL expression selects — the portal passes the lookup of a
    resident's token — so that checking who asks and reading their colour is one round trip.
    None when the expression selects no one."""
    row = hot_sql.fetch_one(_person_sql(f"({person_sql})"), [_now_param(), *params])
    return None if row is None else _issue_display(row)


def issue_card_code(*, user, person: Person) -> IssuedCodeView:
    """A printed code for someone without a phone: no colour in it, valid for weeks; the
    checkpoint looks the colour up online."""
    require(user, CODE, ADD, person.region_path, message=_("您无权为该居民打印卡片码。"))
    status = current_status(person)
    with transaction.atomic():
        issued, revocation = _sign(
            name=person.name,
            id_number=person.id_number,
            sub=subject_for(person.pk),
            colour=None,
            policy_version=status.policy_version,
            kind=format.CARD,
            issued_at=timezone.now().replace(microsecond=0),
            lifetime=datetime.timedelta(days=settings.FANGYI_CARD_CODE_DAYS),
        )
        # Signatures are deterministic and cards are issued to the second, so a second print
        # in the same second (a double click) is the same card: it is recorded once.
        CardCode.objects.get_or_create(
            revocation_hash=revocation,
            defaults={
                "person": person,
                "kid": issued.kid,
                "issued_at": issued.issued_at,
                "expires_at": issued.expires_at,
                "issued_by": user,
            },
        )
        record_access(
            actor=user,
            kind=AccessEvent.CARD,
            obj=person,
            reason=_("打印卡片码，有效至 %(until)s")
            % {"until": timezone.localtime(issued.expires_at).strftime("%Y-%m-%d %H:%M")},
            fields=["name", "id_number"],
        )
    return issued


def issue_place_code(
    *, subject: str, venue_name: str, venue_kind: str, region_code: str
) -> tuple[str, datetime.datetime]:
    """A venue's `FYP1:` code. The checkpoints area checks who may print it."""
    key = keys.current_key()
    issued_at = timezone.now().replace(microsecond=0)
    expires_at = issued_at + datetime.timedelta(days=settings.FANGYI_PLACE_CODE_DAYS)
    claims = format.place_claims(
        issuer=settings.FANGYI_CODE_ISSUER,
        subject=subject,
        issued_at=int(issued_at.timestamp()),
        expires_at=int(expires_at.timestamp()),
        venue_name=venue_name,
        venue_kind=venue_kind,
        region_code=region_code,
    )
    signed = format.sign(claims, key.private_key, kid=key.kid, prefix=format.PLACE_PREFIX)
    return signed.text, expires_at


@dataclass(frozen=True)
class DocumentCode:
    text: str
    kind: str
    issued_at: datetime.datetime
    expires_at: datetime.datetime
    kid: str


def issue_document_code(
    *,
    user,
    person: Person,
    kind: str,
    issued_at: datetime.datetime,
    expires_at: datetime.datetime,
    order_kind: str,
    start: datetime.date,
    end: datetime.date,
    released_at: datetime.datetime | None = None,
    place: str | None = None,
    region: str | None = None,
) -> DocumentCode:
    """The code printed on an isolation document (a release certificate or an isolation
    notice). The isolation area checks who may print it. Every claim comes from the order, so
    the same order signed again gives the same text: a reprint is the same document, recorded
    once, like a card, so that revoking the person's codes revokes it too."""
    if kind not in format.DOCUMENT_TEXTS:
        raise ValueError(f"not a document kind: {kind}")
    key = keys.current_key()
    claims = format.document_claims(
        issuer=settings.FANGYI_CODE_ISSUER,
        subject=subject_for(person.pk),
        issued_at=int(issued_at.timestamp()),
        expires_at=int(expires_at.timestamp()),
        kind=kind,
        masked_name=mask_name(person.name),
        id_tail=id_tail(person.id_number),
        order_kind=order_kind,
        start=start.isoformat(),
        end=end.isoformat(),
        released_at=int(released_at.timestamp()) if released_at is not None else None,
        place=place,
        region=region,
    )
    signed = format.sign(claims, key.private_key, kid=key.kid)
    issued = DocumentCode(
        text=signed.text,
        kind=kind,
        issued_at=datetime.datetime.fromtimestamp(claims[format.IAT], datetime.UTC),
        expires_at=datetime.datetime.fromtimestamp(claims[format.EXP], datetime.UTC),
        kid=format.b64url(key.kid),
    )
    CardCode.objects.get_or_create(
        revocation_hash=signed.revocation_hash,
        defaults={
            "person": person,
            "kind": kind,
            "kid": issued.kid,
            "issued_at": issued.issued_at,
            "expires_at": issued.expires_at,
            "issued_by": user,
        },
    )
    return issued


# A pass is issued on a one-minute slot: the holder's page refreshes every minute, so each
# minute a holder looks at it adds at most one record.
PASS_SLOT_SECONDS = 60


@dataclass(frozen=True)
class PassCode:
    text: str
    issued_at: datetime.datetime
    expires_at: datetime.datetime
    kid: str


def issue_pass_code(
    *,
    person: Person,
    colour: str,
    policy_version: str,
    organisation: str,
    plate: str,
    areas: list[str],
    area_names: str,
    last_day: datetime.datetime,
    valid_until: datetime.date,
    tested_at: datetime.datetime | None,
    test_hours: int,
) -> PassCode:
    """A courier's pass (kind `pass`), alive a few minutes (FANGYI_PASS_CODE_SECONDS) and never
    past `last_day`, the end of the whitelist's last day. The passes area checks who holds a
    pass; every code issued is recorded so that suspending or revoking the pass revokes it."""
    key = keys.current_key()
    now = int(timezone.now().timestamp())
    issued_at = now // PASS_SLOT_SECONDS * PASS_SLOT_SECONDS
    expires_at = min(issued_at + settings.FANGYI_PASS_CODE_SECONDS, int(last_day.timestamp()))
    claims = format.pass_claims(
        issuer=settings.FANGYI_CODE_ISSUER,
        subject=subject_for(person.pk),
        issued_at=issued_at,
        expires_at=expires_at,
        masked_name=mask_name(person.name),
        id_tail=id_tail(person.id_number),
        policy_version=policy_version,
        colour=colour,
        organisation=organisation,
        plate=plate,
        areas=areas,
        area_names=area_names,
        valid_until=valid_until.isoformat(),
        tested_at=int(tested_at.timestamp()) if tested_at is not None else 0,
        test_hours=test_hours,
    )
    signed = format.sign(claims, key.private_key, kid=key.kid)
    issued = PassCode(
        text=signed.text,
        issued_at=datetime.datetime.fromtimestamp(issued_at, datetime.UTC),
        expires_at=datetime.datetime.fromtimestamp(expires_at, datetime.UTC),
        kid=format.b64url(key.kid),
    )
    CardCode.objects.get_or_create(
        revocation_hash=signed.revocation_hash,
        defaults={
            "person": person,
            "kind": CardCode.PASS,
            "kid": issued.kid,
            "issued_at": issued.issued_at,
            "expires_at": issued.expires_at,
        },
    )
    return issued


def revoke_pass_codes(*, user, person: Person) -> int:
    """Puts every pass of the person still alive on the revocation list, and gives the person
    a new pseudonym so that a pass issued again within the same minute differs from the
    revoked one. The passes area checks the right and audits; returns how many were listed."""
    now = timezone.now()
    codes = list(
        CardCode.objects.filter(
            person=person, kind=CardCode.PASS, expires_at__gt=now, revoked_at__isnull=True
        )
    )
    RevokedCode.objects.bulk_create(
        [
            RevokedCode(
                revocation_hash=bytes(code.revocation_hash),
                person=person,
                kind=RevokedCode.PASS,
                expires_at=code.expires_at,
                revoked_at=now,
                revoked_by=user,
            )
            for code in codes
        ],
        ignore_conflicts=True,
    )
    CardCode.objects.filter(pk__in=[code.pk for code in codes]).update(revoked_at=now)
    CodeSubject.objects.filter(person=person).update(sub=new_subject())
    return len(codes)


def _display_codes_alive(person: Person, sub: str, now: datetime.datetime):
    """(revocation hash, expiry) of every display code the person may hold now: each slot
    whose code has not expired, each colour, each plan label, each key that was signing."""
    lifetime = _display_lifetime()
    first = _display_slot(now - lifetime)
    slots = []
    slot = first
    while slot <= now:
        if slot + lifetime > now:
            slots.append(slot)
        slot += datetime.timedelta(seconds=DISPLAY_SLOT_SECONDS)
    signing = [key for key in keys.all_keys() if key.created_at <= now]
    # A key signs until the next one is made; those retired before the oldest slot are out.
    candidates = [
        key
        for index, key in enumerate(signing)
        if index + 1 == len(signing) or signing[index + 1].created_at > first
    ]
    labels = {policy.label for policy in Policy.objects.all()}
    for key in candidates:
        for slot in slots:
            for colour in format.COLOURS:
                for label in labels:
                    _view, revocation = _sign(
                        name=person.name,
                        id_number=person.id_number,
                        sub=sub,
                        colour=colour,
                        policy_version=label,
                        kind=format.DISPLAY,
                        issued_at=slot,
                        lifetime=lifetime,
                        key=key,
                    )
                    yield revocation, slot + lifetime


def revoke_codes(*, user, person: Person, reason: str) -> int:
    """Revokes every code of the person still alive: a lost card, a leaked screenshot.

    Returns how many printed codes (cards, isolation documents) were revoked; the display
    codes the person may hold are listed too, and the person gets a new pseudonym for the
    codes issued from now on.
    """
    require(user, CODE, CHANGE, person.region_path, message=_("您无权撤销该居民的码。"))
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": [_("请写明撤销理由（至少 4 个字）。")]})
    now = timezone.now()
    with transaction.atomic():
        subject = CodeSubject.objects.select_for_update().filter(person=person).first()
        cards = list(
            CardCode.objects.filter(person=person, expires_at__gt=now, revoked_at__isnull=True)
        )
        entries = [
            RevokedCode(
                revocation_hash=bytes(card.revocation_hash),
                person=person,
                kind=card.kind,
                expires_at=card.expires_at,
                revoked_at=now,
                revoked_by=user,
            )
            for card in cards
        ]
        if subject is not None:
            entries += [
                RevokedCode(
                    revocation_hash=revocation,
                    person=person,
                    kind=RevokedCode.DISPLAY,
                    expires_at=expires_at,
                    revoked_at=now,
                    revoked_by=user,
                )
                for revocation, expires_at in _display_codes_alive(person, subject.sub, now)
            ]
            subject.sub = new_subject()
            subject.save(update_fields=["sub"])
        RevokedCode.objects.bulk_create(entries, batch_size=2000, ignore_conflicts=True)
        CardCode.objects.filter(pk__in=[card.pk for card in cards]).update(revoked_at=now)
        record_change(
            actor=user,
            action=ObjectChange.UPDATE,
            obj=person,
            before=None,
            after={"codes_revoked": {"cards": len(cards)}, "reason": reason[:200]},
            region_path=person.region_path,
        )
    return len(cards)


def revoked_hashes(now: datetime.datetime | None = None) -> list[bytes]:
    """Revocation hashes of revoked codes still within their lifetime."""
    now = now or timezone.now()
    return [
        bytes(value)
        for value in RevokedCode.objects.filter(expires_at__gt=now)
        .order_by("expires_at", "pk")
        .values_list("revocation_hash", flat=True)
    ]


def verify_here(text: str, now: float | None = None) -> format.Verification:
    """Verifies with this server's own published keys and revocation list."""
    return format.verify(text, keys.verification_keys(), revoked_hashes(), now=now)


@dataclass(frozen=True)
class CardLookup:
    verification: format.Verification
    colour: str | None
    valid_until: datetime.datetime | None
    policy_version: str | None
    in_scope: bool = False


def lookup_card(*, user, text: str) -> CardLookup:
    """A checkpoint asks the colour behind a card code (cards carry none). Logged.

    A card is a bearer credential shown at whatever gate its holder passes, so any checkpoint
    gets the verdict and the colour of any valid card: what the card itself shows (masked
    name, ID tail) and what the gate needs to let the holder through. How long the colour
    holds and under which plan is told only within the staff member's regions.
    """
    require(user, CODE, VIEW, message=_("您无权查询卡片码。"))
    checked = verify_here(text)
    claims = checked.claims if checked.valid else None
    if claims is None or claims.get("kind") != format.CARD:
        return CardLookup(checked, None, None, None)
    subject = CodeSubject.objects.filter(sub=claims["sub"]).select_related("person").first()
    if subject is None:
        return CardLookup(checked, None, None, None)
    person = subject.person
    status: Status = current_status(person)
    in_scope = can(user, CODE, VIEW, person.region_path)
    record_access(
        actor=user,
        kind=AccessEvent.LOOKUP,
        obj=person,
        reason=_("卡点查询卡片码颜色") if in_scope else _("卡点查询辖区外居民的卡片码颜色"),
        fields=["colour"],
    )
    if not in_scope:
        return CardLookup(checked, status.colour, None, None)
    return CardLookup(checked, status.colour, status.valid_until, status.policy_version, True)


def purge_expired(*, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Card records and revocation entries are needed only while their codes live."""
    cutoff = timezone.now() - older_than
    cards, _by_model = CardCode.objects.filter(expires_at__lt=cutoff).delete()
    entries, _by_model = RevokedCode.objects.filter(expires_at__lt=cutoff).delete()
    return cards + entries
