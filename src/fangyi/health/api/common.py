"""What the health API's resources share: the three routers, the colour and note
types, and looking up the person a body names."""

import uuid
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router

from fangyi.core.permissions import VIEW
from fangyi.core.schemas import Text
from fangyi.people.models import Person

from ..models import Colour

router = Router(tags=["health"])
# Mounted on /persons beside people's own router, so that people's API never imports health.
persons_router = Router(tags=["health"])
zones_router = Router(tags=["zones"])

# Every operation names its operation_id: generated clients call methods by these ids, which
# were named after the single module the API once was (fangyi_health_api_<function>).

SOURCE = "api"
ColourCode = Literal[*Colour.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
Note = Annotated[Text, Field(max_length=2000)]


def referenced_person(user, person_id: uuid.UUID) -> Person:
    person = Person.objects.restrict(user, VIEW).filter(pk=person_id).first()
    if person is None:
        raise ValidationError({"person": _("没有这个居民，或其不在您的辖区内。")})
    return person
