"""Public keys and the revocation list (open to anyone: verifiers need nothing else), card
codes for grid workers, revoking a person's codes, and the online colour lookup for cards."""

import datetime

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from fangyi.core import ratelimit
from fangyi.core.api import get_by_id
from fangyi.core.permissions import VIEW
from fangyi.core.schemas import ERROR_RESPONSES, Input, Text
from fangyi.people.models import Person

from . import format, keys, services, verdicts

router = Router(tags=["codes"])
persons_router = Router(tags=["codes"])


class Jwk(Schema):
    kty: str
    crv: str
    x: str
    y: str
    kid: str
    alg: str
    use: str


class Jwks(Schema):
    keys: list[Jwk]


class RevocationList(Schema):
    revoked: list[str] = Field(
        description="base64url of the first 16 bytes of SHA-256 of each "
        "revoked code's signature, for codes still within their lifetime"
    )
    generated_at: datetime.datetime


class IssuedCodeRead(Schema):
    text: str
    kind: str
    issued_at: datetime.datetime
    expires_at: datetime.datetime
    colour: str | None
    masked_name: str
    id_tail: str
    policy_version: str
    kid: str


class CardRead(IssuedCodeRead):
    print_url: str


class RevokeInput(Input):
    reason: Text = Field(max_length=200)


class Revoked(Schema):
    revoked_cards: int = Field(
        description="recorded codes revoked: cards, isolation documents (release "
        "certificates, notices) and couriers' passes; the display codes the person may hold "
        "are always revoked"
    )


class TextInput(Input):
    text: Text = Field(max_length=4096)


class Lookup(Schema):
    result: str
    reason: str = Field(description="technical detail, for logs; not for people")
    message: str = Field(description="what the verdict means, in the request's language")
    claims: dict | None
    colour: str | None = Field(description="the card holder's current colour, when valid")
    valid_until: datetime.datetime | None = Field(
        description="until when the colour holds; only for a holder within the caller's regions"
    )
    policy_version: str | None = Field(
        description="the plan behind the colour; only within the caller's regions"
    )
    in_scope: bool = Field(description="whether the holder lives within the caller's regions")


def _cacheable(response: HttpResponse, seconds: int) -> None:
    response["Cache-Control"] = f"public, max-age={seconds}"


@router.get("/keys", auth=None, response=Jwks)
def list_keys(request, response: HttpResponse):
    """The JWKS of every key whose codes may still be alive, newest first."""
    ratelimit.hit("public-address", ratelimit.client_address(request))
    _cacheable(response, 300)
    return keys.jwks()


@router.get("/revoked", auth=None, response=RevocationList)
def list_revoked(request, response: HttpResponse):
    """Revoked codes still within their lifetime (checkpoints cache this list)."""
    ratelimit.hit("public-address", ratelimit.client_address(request))
    _cacheable(response, 60)
    return {
        "revoked": [format.b64url(h) for h in services.revoked_hashes()],
        "generated_at": datetime.datetime.now(datetime.UTC),
    }


@router.post("/lookup", response={200: Lookup, **ERROR_RESPONSES})
def lookup(request, body: TextInput):
    """Verifies a code on the server; for a valid card code also answers the holder's current
    colour (cards carry none), whichever region the holder lives in: a card is shown at any
    gate. How long the colour holds and under which plan only within the caller's regions.
    For checkpoint staff and up; each card lookup is logged."""
    found = services.lookup_card(user=request.auth, text=body.text)
    checked = found.verification
    return {
        **checked.as_json(),
        "message": verdicts.sentence(checked.result.value, checked.reason),
        "colour": found.colour,
        "valid_until": found.valid_until,
        "policy_version": found.policy_version,
        "in_scope": found.in_scope,
    }


@persons_router.post("/{person_id}/card", response={201: CardRead, **ERROR_RESPONSES})
def issue_card(request, person_id: str):
    """A printable card code (30 days, no colour in it) for a person in the caller's scope."""
    person = get_by_id(Person.objects.restrict(request.auth, VIEW), person_id)
    issued = services.issue_card_code(user=request.auth, person=person)
    print_url = request.build_absolute_uri(reverse("codes:card", args=[person.pk]))
    return Status(201, issued.__dict__ | {"print_url": print_url})


@persons_router.post("/{person_id}/codes/revoke", response={200: Revoked, **ERROR_RESPONSES})
def revoke(request, person_id: str, body: RevokeInput):
    """Revokes every live code of the person (audited); checkpoints refuse them from the next
    revocation-list refresh."""
    person = get_by_id(Person.objects.restrict(request.auth, VIEW), person_id)
    cards = services.revoke_codes(user=request.auth, person=person, reason=body.reason)
    return {"revoked_cards": cards}
