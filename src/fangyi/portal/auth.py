"""Who the resident is: a web session for the portal's pages, a bearer token for the API.

Residents are persons, not staff users. The pages keep the person's id in the Django session
(beside, never instead of, a staff login); the API takes `Authorization: Bearer fyr_…`, whose
SHA-256 is looked up in one indexed query. Staff tokens do not open resident endpoints, and
resident tokens open no staff endpoint: they live in different tables.
"""

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from ninja.security import HttpBearer

from fangyi.accounts.api_auth import unknown_token_from
from fangyi.accounts.models import hash_token
from fangyi.core import sql as hot_sql
from fangyi.core.bulk import as_uuid
from fangyi.people.models import Person

from .models import ResidentToken

SESSION_KEY = "resident_person_id"
_CACHE = "_fangyi_resident"


def login_resident(request: HttpRequest, person: Person) -> None:
    # A new session key on login: a key planted before login is worth nothing after it.
    request.session.cycle_key()
    request.session[SESSION_KEY] = str(person.pk)
    if not request.user.is_authenticated:
        # A staff login in the same browser keeps its own, shorter lifetime.
        request.session.set_expiry(settings.FANGYI_RESIDENT_LOGIN_DAYS * 24 * 3600)
    setattr(request, _CACHE, person)


def logout_resident(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    setattr(request, _CACHE, None)


def resident_person(request: HttpRequest) -> Person | None:
    """The resident logged in through the portal's pages, or None."""
    if hasattr(request, _CACHE):
        return getattr(request, _CACHE)
    person_id = request.session.get(SESSION_KEY)
    person = None
    if person_id:
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            request.session.pop(SESSION_KEY, None)
    setattr(request, _CACHE, person)
    return person


def login_url(next_url: str) -> str:
    return f"{reverse('portal:login')}?{urlencode({'next': next_url})}"


def resident_required(view):
    """Sends a visitor without a resident session to the portal's login, then back."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if resident_person(request) is None:
            return redirect(login_url(request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class Resident:
    """request.auth on resident endpoints: ids only, so the hot path loads nothing more."""

    person_id: object
    token_id: object


# Every resident's phone calls the API each minute: hand-written SQL, no ORM query to compile.
_LIVE_TOKEN = (
    f"FROM {ResidentToken._meta.db_table} "
    "WHERE key_hash = %s AND revoked_at IS NULL AND expires_at > %s"
)
TOKEN_PERSON_SQL = f"SELECT person_id {_LIVE_TOKEN}"


class ResidentBearer(HttpBearer):
    SQL = f"SELECT id, person_id {_LIVE_TOKEN}"

    def authenticate(self, request: HttpRequest, token: str) -> Resident | None:
        if not token.startswith(ResidentToken.PREFIX):
            return None
        found = hot_sql.fetch_one(self.SQL, token_params(token))
        if found is None:
            unknown_token_from(request)
            return None
        token_id, person_id = (as_uuid(value) for value in found)
        return Resident(person_id=person_id, token_id=token_id)


def token_params(token: str) -> list:
    return [hash_token(token), connection.ops.adapt_datetimefield_value(timezone.now())]


@dataclass(frozen=True)
class UncheckedToken:
    """A resident token not yet looked up: `GET /me/code` checks it in the same query that
    reads the code's data (see portal.api.my_code), saving a round trip on the hottest path."""

    token: str


class ResidentBearerCheckedLater(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> UncheckedToken | None:
        return UncheckedToken(token) if token.startswith(ResidentToken.PREFIX) else None


resident_auth = ResidentBearer()
resident_auth_checked_later = ResidentBearerCheckedLater()
