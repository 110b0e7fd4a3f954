"""Issuing, revoking and looking up codes. The only place that writes the codes tables."""

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.audit import record_access, record_change
from fangyi.core.masking import mask_name
from fangyi.core.models import AccessEvent, ObjectChange
from fangyi.core.permissions import ADD, CHANGE, CODE, VIEW, can
from fangyi.health.models import Status
from fangyi.health.services import current_status
from fangyi.people.models import Person

from . import format, keys
from .models import CodeSubject, IssuedCode


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


def _sign_for_person(
    *, person_id, name, id_number, sub, colour, policy_version, kind, lifetime, issued_by=None
) -> IssuedCodeView:
    key = keys.current_key()
    issued_at = timezone.now().replace(microsecond=0)
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
    IssuedCode.objects.create(
        revocation_hash=signed.revocation_hash,
        person_id=person_id,
        kind=kind,
        kid=key.kid.hex(),
        issued_at=issued_at,
        expires_at=expires_at,
        issued_by=issued_by,
    )
    return IssuedCodeView(
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


def _lean_commit():
    # Losing the last few issued-code rows in a crash only means those 5-minute codes cannot be
    # revoked; not waiting for the disk on each of them is what lets one server issue
    # thousands a second.
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def issue_display_code(*, person_id) -> IssuedCodeView:
    """A code to show on the resident's own phone: the current colour, for a few minutes.

    The caller has already established who the resident is (portal login, or a confirmed
    guardianship). This runs on every refresh of every resident's phone, so it reads one row.
    """
    now = timezone.now()
    row = (
        Person.objects.filter(pk=person_id)
        .values(
            "name",
            "id_number",
            "code_subject__sub",
            "health_status__colour",
            "health_status__policy_version",
            "health_status__valid_until",
        )
        .first()
    )
    if row is None:
        raise Person.DoesNotExist
    colour = row["health_status__colour"]
    policy_version = row["health_status__policy_version"]
    valid_until = row["health_status__valid_until"]
    if colour is None or (valid_until is not None and valid_until <= now):
        status = current_status(Person(pk=person_id))
        colour, policy_version = status.colour, status.policy_version
    sub = row["code_subject__sub"] or subject_for(person_id)
    with transaction.atomic():
        _lean_commit()
        return _sign_for_person(
            person_id=person_id,
            name=row["name"],
            id_number=row["id_number"],
            sub=sub,
            colour=colour,
            policy_version=policy_version,
            kind=format.DISPLAY,
            lifetime=datetime.timedelta(seconds=settings.FANGYI_DISPLAY_CODE_SECONDS),
        )


def issue_card_code(*, user, person: Person) -> IssuedCodeView:
    """A printed code for someone without a phone: no colour in it, valid for weeks; the
    checkpoint looks the colour up online."""
    if not can(user, CODE, ADD, person.region_path):
        raise PermissionDenied(_("您无权为该居民打印卡片码。"))
    status = current_status(person)
    with transaction.atomic():
        issued = _sign_for_person(
            person_id=person.pk,
            name=person.name,
            id_number=person.id_number,
            sub=subject_for(person.pk),
            colour=None,
            policy_version=status.policy_version,
            kind=format.CARD,
            lifetime=datetime.timedelta(days=settings.FANGYI_CARD_CODE_DAYS),
            issued_by=user,
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


def revoke_codes(*, user, person: Person, reason: str) -> int:
    """Revokes every code of the person still alive: a lost card, a leaked screenshot."""
    if not can(user, CODE, CHANGE, person.region_path):
        raise PermissionDenied(_("您无权撤销该居民的码。"))
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": [_("请写明撤销理由（至少 4 个字）。")]})
    now = timezone.now()
    with transaction.atomic():
        alive = IssuedCode.objects.filter(
            person=person, expires_at__gt=now, revoked_at__isnull=True
        )
        count = alive.update(revoked_at=now, revoked_by=user, revoke_reason=reason[:200])
        record_change(
            actor=user,
            action=ObjectChange.UPDATE,
            obj=person,
            before=None,
            after={"codes_revoked": count, "reason": reason[:200]},
            region_path=person.region_path,
        )
    return count


def revoked_hashes(now: datetime.datetime | None = None) -> list[bytes]:
    """Revocation hashes of revoked codes still within their lifetime."""
    now = now or timezone.now()
    return [
        bytes(value)
        for value in IssuedCode.objects.filter(revoked_at__isnull=False, expires_at__gt=now)
        .order_by("expires_at")
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


def lookup_card(*, user, text: str) -> CardLookup:
    """A checkpoint asks the colour behind a card code (cards carry none). Logged."""
    if not can(user, CODE, VIEW):
        raise PermissionDenied(_("您无权查询卡片码。"))
    checked = verify_here(text)
    if not checked.valid or checked.claims.get("kind") != format.CARD:
        return CardLookup(checked, None, None, None)
    subject = CodeSubject.objects.filter(sub=checked.claims["sub"]).select_related("person").first()
    if subject is None:
        return CardLookup(checked, None, None, None)
    status: Status = current_status(subject.person)
    record_access(
        actor=user,
        kind=AccessEvent.LOOKUP,
        obj=subject.person,
        reason=_("卡点查询卡片码颜色"),
        fields=["colour"],
    )
    return CardLookup(checked, status.colour, status.valid_until, status.policy_version)


def purge_expired(*, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Issued-code rows are needed only while their codes live."""
    deleted, _by_model = IssuedCode.objects.filter(
        expires_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
