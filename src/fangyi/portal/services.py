"""What residents do: log in with a one-time code, declare, appeal, look after relatives.

Keyword-only functions, as in every area. A resident is not a staff user, so nothing here asks
the permission matrix on their behalf: the caller has established who the resident is (a
portal session or a resident token) and every function acts only on that person, or on
someone a grid worker has confirmed they look after. Audit rows of residents' actions carry
`via="resident"` and no user.
"""

import dataclasses
import datetime
import hashlib
import hmac
import logging
import re
import secrets
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fangyi.accounts.models import hash_token
from fangyi.codes.services import subject_for
from fangyi.core import audit, ratelimit
from fangyi.core.context import acting, current
from fangyi.core.permissions import CHANGE, require
from fangyi.core.ratelimit import RateLimited
from fangyi.health.models import Appeal, Fact, FactKind, Zone, ZoneRegion
from fangyi.health.services import FactInput, file_appeal, record_declared_fact
from fangyi.people.models import Person
from fangyi.people.validation import validate_name
from fangyi.regions.models import ancestor_paths

from . import sms
from .area import GUARDIANSHIP
from .models import (
    Guardianship,
    OneTimeCode,
    Relation,
    ResidentToken,
    lapse_cutoff,
)
from .signals import resident_logged_in

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_LIFETIME = datetime.timedelta(minutes=5)
MAX_ATTEMPTS = 5
# Sending limits, counted in OneTimeCode rows so that they hold across server processes.
PHONE_INTERVAL = datetime.timedelta(seconds=60)
PHONE_PER_HOUR = 5
IP_PER_HOUR = 20
HOUR = datetime.timedelta(hours=1)

SOURCE = "portal"
RESIDENT_VIA = "resident"
# What a staff member reading a fact sees as its recorder.
RESIDENT_ACTOR = "居民本人"
DECLARATIONS_PER_DAY = 10
OPEN_GUARDIANSHIPS = 20

PHONE = re.compile(r"1[3-9][0-9]{9}")
CODE = re.compile(r"[0-9]{6}")
ID_TAIL = re.compile(r"[0-9]{3}[0-9X]")
ID_NUMBER = re.compile(r"[0-9A-Z]{5,32}")

# Stored in Chinese, as the ledgers record symptoms; forms show them translated.
SYMPTOMS = {
    "fever": gettext_noop("发热"),
    "cough": gettext_noop("咳嗽"),
    "sore_throat": gettext_noop("咽痛"),
    "fatigue": gettext_noop("乏力"),
    "smell_taste": gettext_noop("嗅觉味觉减退"),
    "breathing": gettext_noop("呼吸困难"),
    "aches": gettext_noop("肌肉酸痛"),
    "diarrhoea": gettext_noop("腹泻"),
}
FEVER_FROM = 37.3


def _mac(*parts: str) -> str:
    message = "\x1f".join(parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


@contextmanager
def as_resident():
    """Audit rows written inside say a resident acted (through the portal), from this request."""
    outer = current()
    with acting(via=RESIDENT_VIA, ip=outer.ip, request_id=outer.request_id):
        yield


def check_phone(phone: str) -> str:
    phone = (phone or "").strip()
    if not PHONE.fullmatch(phone):
        raise ValidationError({"phone": [_("请输入 11 位手机号码。")]})
    return phone


# One-time codes


class NeedsIdTail(Exception):
    """The number belongs to several residents: the last four of the ID number choose one."""


@dataclass(frozen=True)
class CodeSent:
    expires_at: datetime.datetime
    # The text sent, for the demo inbox shown when DEBUG is on; None when nothing was sent.
    message: str | None


def _seconds_until(moment: datetime.datetime, now: datetime.datetime) -> int:
    return int((moment - now).total_seconds()) + 1


def _check_limits(phone: str, ip: str | None, now: datetime.datetime) -> None:
    recent = list(
        OneTimeCode.objects.filter(phone=phone, created_at__gt=now - HOUR)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:PHONE_PER_HOUR]
    )
    if recent and now - recent[0] < PHONE_INTERVAL:
        raise RateLimited(
            _("验证码已发送，请稍后再试。"), _seconds_until(recent[0] + PHONE_INTERVAL, now)
        )
    if len(recent) >= PHONE_PER_HOUR:
        raise RateLimited(
            _("该号码一小时内获取验证码次数过多，请稍后再试。"),
            _seconds_until(recent[-1] + HOUR, now),
        )
    if ip:
        from_ip = list(
            OneTimeCode.objects.filter(ip=ip, created_at__gt=now - HOUR)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:IP_PER_HOUR]
        )
        if len(from_ip) >= IP_PER_HOUR:
            raise RateLimited(
                _("本网络获取验证码次数过多，请稍后再试。"),
                _seconds_until(from_ip[-1] + HOUR, now),
            )


def _serialise(phone: str) -> None:
    """Two requests for one number check and insert one after the other.

    SQLite already runs write transactions one at a time (transaction_mode IMMEDIATE).
    """
    if connection.vendor == "postgresql":
        key = int.from_bytes(
            hashlib.sha256(f"otp:{phone}".encode()).digest()[:8], "big", signed=True
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def request_code(*, phone: str, ip: str | None) -> CodeSent:
    """Sends a login code to a resident's number; for a number nobody has, sends nothing.

    Either way the request is counted, answered alike and limited alike, so that asking
    reveals nothing about who is registered. Raises RateLimited.
    """
    phone = check_phone(phone)
    known = Person.objects.filter(phone=phone).exists()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        _serialise(phone)
        now = timezone.now()
        _check_limits(phone, ip, now)
        row = OneTimeCode.objects.create(
            phone=phone,
            ip=ip,
            code_hash=_mac("otp", phone, code) if known else "",
            sent=known,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    if not known:
        return CodeSent(row.expires_at, None)
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    message = _("【防疫平台】您的登录验证码为 %(code)s，%(minutes)s 分钟内有效。请勿告诉他人。") % {
        "code": code,
        "minutes": minutes,
    }
    try:
        sms.send(phone, message)
    except ImproperlyConfigured:
        raise
    except Exception:
        # A gateway failure must look like any other answer; the resident asks again.
        logger.exception("sending the login code to %s failed", phone[:3] + "****" + phone[-4:])
    return CodeSent(row.expires_at, message)


def _consume_attempt(phone: str, code: str) -> OneTimeCode:
    """Counts one try against the number's latest code; raises unless the code matches."""
    invalid = ValidationError({"code": [_("验证码已失效，请重新获取。")]})
    row = OneTimeCode.objects.filter(phone=phone).order_by("-created_at", "-id").first()
    now = timezone.now()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise invalid
    claimed = OneTimeCode.objects.filter(pk=row.pk, attempts__lt=MAX_ATTEMPTS).update(
        attempts=F("attempts") + 1
    )
    if not claimed:
        raise invalid
    if not (row.code_hash and hmac.compare_digest(row.code_hash, _mac("otp", phone, code))):
        left = MAX_ATTEMPTS - row.attempts - 1
        if left <= 0:
            raise ValidationError({"code": [_("验证码错误次数过多，已失效，请重新获取。")]})
        raise ValidationError({"code": [_("验证码错误，还可尝试 %(left)s 次。") % {"left": left}]})
    return row


def verify_login(*, phone: str, code: str, id_tail: str = "", ip: str | None = None) -> Person:
    """The resident a correct one-time code logs in.

    A number several residents share (a family's one phone) needs the last four characters of
    the chosen one's ID number: without them NeedsIdTail is raised and the code stays usable,
    so the resident can answer with them.

    Each code allows a few tries; across numbers, an address that keeps sending wrong codes
    is refused for a while (the "otp-address" rate limit): RateLimited.
    """
    if ip is None:
        return _verify_login(phone=phone, code=code, id_tail=id_tail)
    message = _("本网络验证码错误次数过多，请稍后再试。")
    ratelimit.check("otp-address", ip, message=message)
    try:
        return _verify_login(phone=phone, code=code, id_tail=id_tail)
    except ValidationError:
        ratelimit.hit("otp-address", ip, message=message)
        raise


def _verify_login(*, phone: str, code: str, id_tail: str) -> Person:
    phone = check_phone(phone)
    code = (code or "").strip()
    if not CODE.fullmatch(code):
        raise ValidationError({"code": [_("请输入 6 位数字验证码。")]})
    id_tail = (id_tail or "").strip().upper()
    if id_tail and not ID_TAIL.fullmatch(id_tail):
        raise ValidationError({"id_tail": [_("请输入身份证号码的后四位。")]})
    row = _consume_attempt(phone, code)
    persons = list(Person.objects.filter(phone=phone).order_by("id")[:20])
    if not persons:
        raise ValidationError({"code": [_("验证码已失效，请重新获取。")]})
    if id_tail:
        persons = [person for person in persons if person.id_tail.upper() == id_tail]
        if not persons:
            raise ValidationError({"id_tail": [_("身份证号后四位与该手机号登记的居民不符。")]})
    if len(persons) > 1:
        raise NeedsIdTail(_("该手机号登记了多位居民，请填写您本人身份证号码的后四位。"))
    if not OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    ):
        raise ValidationError({"code": [_("验证码已失效，请重新获取。")]})
    # The pseudonym the codes carry, made now so that showing a code never has to write.
    subject_for(persons[0].pk)
    resident_logged_in.send(sender=Person, person=persons[0])
    return persons[0]


# Resident tokens


def issue_token(*, person: Person) -> tuple[str, ResidentToken]:
    """A bearer token for the resident's API calls; only its hash is kept."""
    raw = ResidentToken.new_raw_key()
    now = timezone.now()
    token = ResidentToken.objects.create(
        person=person,
        key_hash=hash_token(raw),
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.FANGYI_RESIDENT_LOGIN_DAYS),
    )
    return raw, token


def revoke_token(*, token_id) -> None:
    ResidentToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# Whom a resident acts for


def confirmed_dependants(holder_id) -> list[Guardianship]:
    return list(
        Guardianship.objects.filter(holder_id=holder_id, state=Guardianship.State.CONFIRMED)
        .select_related("dependant")
        .order_by("requested_at")
    )


def looks_after(holder_id, person_id) -> bool:
    return Guardianship.objects.filter(
        holder_id=holder_id, dependant_id=person_id, state=Guardianship.State.CONFIRMED
    ).exists()


def subject(holder_id, person_id=None):
    """The person a resident acts for: themselves, or someone confirmed in their care.

    Anyone else is refused as not found, so ids cannot be probed.
    """
    if person_id is None or str(person_id) == str(holder_id):
        return holder_id
    try:
        wanted = uuid.UUID(str(person_id))
    except ValueError as exc:
        raise Person.DoesNotExist from exc
    if not looks_after(holder_id, wanted):
        raise Person.DoesNotExist
    return wanted


# Declarations and appeals


def _record_own(
    *, person: Person, item: FactInput, holder: Person | None, names: dict[str, str]
) -> Fact:
    """Records a fact the resident declared, checked by the health rules like any other.

    `names` renames the rules' error fields (details.temperature) to the form's (temperature).
    """
    recent = Fact.objects.filter(
        person=person,
        source=SOURCE,
        recorded_at__gt=timezone.now() - datetime.timedelta(days=1),
    ).count()
    if recent >= DECLARATIONS_PER_DAY:
        raise ValidationError(
            _("今天的申报次数已达上限（%(n)s 次）。") % {"n": DECLARATIONS_PER_DAY}
        )
    if holder is not None:
        item = dataclasses.replace(item, source_ref=f"guardian:{holder.pk}")
    try:
        with as_resident():
            return record_declared_fact(item=item, source=SOURCE, declared_by=RESIDENT_ACTOR)
    except ValidationError as exc:
        raise ValidationError(
            {names.get(field, field): messages for field, messages in exc.message_dict.items()}
        ) from None


def declare_health(
    *,
    person: Person,
    temperature: float | None,
    symptoms: list[str],
    holder: Person | None = None,
) -> Fact:
    """The daily health declaration: temperature (℃) and symptoms, as a health fact."""
    unknown = [code for code in symptoms if code not in SYMPTOMS]
    if unknown:
        raise ValidationError({"symptoms": [_("没有这种症状选项。")]})
    details: dict = {"symptoms": [SYMPTOMS[code] for code in dict.fromkeys(symptoms)]}
    if temperature is not None:
        details["temperature"] = round(temperature, 1)
    return _record_own(
        person=person,
        item=FactInput(
            person=person,
            kind=FactKind.HEALTH_DECLARATION,
            occurred_at=timezone.now(),
            details=details,
        ),
        holder=holder,
        names={"details.temperature": "temperature", "details.symptoms": "symptoms"},
    )


def declare_trip(
    *,
    person: Person,
    from_area: str,
    arrived_at: datetime.datetime,
    risk_area: bool,
    transport: str = "",
    holder: Person | None = None,
) -> Fact:
    """A trip declaration. Arriving from a risk area is the fact the rules colour (yellow until
    the policy's negative tests); any other trip is kept as a declaration for tracing."""
    from_area, transport = from_area.strip(), transport.strip()
    if not from_area:
        raise ValidationError({"from_area": [_("请填写出发地。")]})
    if risk_area:
        item = FactInput(
            person=person,
            kind=FactKind.ARRIVAL_FROM_RISK_AREA,
            occurred_at=arrived_at,
            details={"area": from_area} | ({"transport": transport} if transport else {}),
        )
    else:
        trip = {"from": from_area, "arrived_at": arrived_at.isoformat()}
        item = FactInput(
            person=person,
            kind=FactKind.HEALTH_DECLARATION,
            occurred_at=arrived_at,
            details={"trip": trip | ({"transport": transport} if transport else {})},
        )
    return _record_own(
        person=person,
        item=item,
        holder=holder,
        names={"occurred_at": "arrived_at", "details.area": "from_area"},
    )


def own_fact(person: Person, fact_id) -> Fact:
    fact = Fact.objects.filter(pk=fact_id, person=person).first()
    if fact is None:
        raise ValidationError({"fact": [_("没有这条记录。")]})
    return fact


def covering_zone(person: Person, zone_id) -> Zone:
    """A zone the person lives in; any other is refused alike, whether it exists or not."""
    zone = (
        Zone.objects.filter(pk=zone_id)
        .filter(
            pk__in=ZoneRegion.objects.filter(path__in=ancestor_paths(person.region_path)).values(
                "zone_id"
            )
        )
        .first()
    )
    if zone is None:
        raise ValidationError({"zone": [_("您不在这个管控区域内。")]})
    return zone


def appeal(
    *, person: Person, reason: str, fact: Fact | None = None, zone: Zone | None = None
) -> Appeal:
    """A resident contests one of their own facts or a zone they live in; an officer decides."""
    with as_resident():
        return file_appeal(
            actor=None, person=person, reason=reason, fact=fact, zone=zone, on_behalf=False
        )


# People a resident looks after


def request_guardianship(
    *, holder: Person, id_number: str, name: str, relation: str
) -> Guardianship:
    """Asks to look after someone, named by full ID number and name.

    Whether they match a person or not, the request is stored and answered the same; only
    matching ones reach a grid worker, who knows the families of their grid.
    """
    id_number = (id_number or "").strip().upper()
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not ID_NUMBER.fullmatch(id_number):
        errors["id_number"] = [_("请输入完整的证件号码。")]
    if not name or len(name) > 50:
        errors["name"] = [_("请输入姓名（最多 50 个字）。")]
    else:
        try:
            name = validate_name(name)
        except ValidationError as exc:
            errors["name"] = exc.messages
    if relation not in Relation.values:
        errors["relation"] = [_("请选择关系。")]
    if not errors and id_number == holder.id_number.upper():
        errors["id_number"] = [_("不能添加本人。")]
    if errors:
        raise ValidationError(errors)
    key = _mac("guardian", id_number)
    with as_resident(), transaction.atomic():
        Guardianship.objects.filter(
            holder=holder, state=Guardianship.State.PENDING, requested_at__lt=lapse_cutoff()
        ).update(state=Guardianship.State.EXPIRED)
        open_ones = Guardianship.objects.filter(
            holder=holder,
            state__in=[Guardianship.State.PENDING, Guardianship.State.CONFIRMED],
        )
        if open_ones.filter(claimed_key=key).exists():
            raise ValidationError({"id_number": [_("已经申请过此人，请勿重复提交。")]})
        if open_ones.count() >= OPEN_GUARDIANSHIPS:
            raise ValidationError(
                _("待核实和已确认的照顾关系最多 %(n)s 个。") % {"n": OPEN_GUARDIANSHIPS}
            )
        dependant = Person.objects.filter(id_number=id_number, name=name).first()
        guardianship = Guardianship.objects.create(
            holder=holder,
            dependant=dependant,
            claimed_name=Person(name=name).masked_name,
            claimed_id_tail=id_number[-4:],
            claimed_key=key,
            relation=relation,
            region_path=dependant.region_path if dependant else "",
        )
        audit.record_created(
            actor=None, obj=guardianship, fields=["holder", "dependant", "relation"]
        )
    return guardianship


def decide_guardianship(
    *, actor, guardianship: Guardianship, confirm: bool, note: str = ""
) -> Guardianship:
    """A grid worker whose scope covers the dependant confirms or rejects. Audited."""
    refused = _("您无权处理该照顾关系申请。")
    if guardianship.dependant_id is None:
        raise PermissionDenied(refused)
    require(actor, GUARDIANSHIP, CHANGE, guardianship.region_path, message=refused)
    if guardianship.state != Guardianship.State.PENDING or guardianship.lapsed:
        raise ValidationError({"guardianship": [_("该申请已经处理或已过期。")]})
    note = (note or "").strip()
    if not confirm and not note:
        raise ValidationError({"note": [_("请写明未通过的原因。")]})
    state = Guardianship.State.CONFIRMED if confirm else Guardianship.State.REJECTED
    now = timezone.now()
    with transaction.atomic():
        updated = Guardianship.objects.filter(
            pk=guardianship.pk, state=Guardianship.State.PENDING
        ).update(
            state=state,
            decided_by=actor,
            decided_by_name=actor.get_username(),
            decided_at=now,
            decision_note=note[:200],
        )
        if not updated:
            raise ValidationError({"guardianship": [_("该申请已经处理或已过期。")]})
        guardianship.refresh_from_db()
        audit.record_updated(
            actor=actor,
            obj=guardianship,
            before={"state": Guardianship.State.PENDING},
            after={"state": state, "note": guardianship.decision_note},
        )
    return guardianship


def end_guardianship(*, holder: Person, guardianship: Guardianship) -> Guardianship:
    """The resident withdraws a request or stops looking after someone."""
    if guardianship.holder_id != holder.pk:
        raise Guardianship.DoesNotExist
    before = guardianship.state
    if before not in (Guardianship.State.PENDING, Guardianship.State.CONFIRMED):
        raise ValidationError({"guardianship": [_("该照顾关系已经结束。")]})
    with as_resident(), transaction.atomic():
        Guardianship.objects.filter(pk=guardianship.pk).update(
            state=Guardianship.State.ENDED, decided_at=timezone.now()
        )
        guardianship.refresh_from_db()
        audit.record_updated(
            actor=None,
            obj=guardianship,
            before={"state": before},
            after={"state": guardianship.state},
        )
    return guardianship


# Housekeeping


def purge_expired(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Deletes one-time codes past the rate limits' hour (kept a day) and tokens no longer valid."""
    now = now or timezone.now()
    codes, _by_model = OneTimeCode.objects.filter(
        created_at__lt=now - datetime.timedelta(days=1)
    ).delete()
    tokens, _by_model = ResidentToken.objects.filter(
        Q(expires_at__lt=now) | Q(revoked_at__lt=now - datetime.timedelta(days=1))
    ).delete()
    return {"codes": codes, "tokens": tokens}
