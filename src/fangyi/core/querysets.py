from typing import ClassVar, Protocol, Self, cast

from django.db import models
from django.db.models import Q

from .paths import under
from .permissions import EVERYWHERE, Actor, scope_paths


class ScopedModel(Protocol):
    """What `restrict` needs of a model's class."""

    permission_resource: ClassVar[str]
    scope_path_field: ClassVar[str]


class RestrictedQuerySet[M: models.Model](models.QuerySet[M]):
    """Every queryset that shows data to a person goes through `restrict`.

    A model declares `permission_resource` (a key of the permission matrix) and
    `scope_path_field` (the field that holds its region path).
    """

    def restrict(
        self,
        user: Actor,
        action: str = "view",
        *,
        within: str = "",
    ) -> Self:
        """Rows the user may act on, optionally only those under the region path `within`.

        Narrowing here, rather than by a second filter, gives the database one range on the
        path index: SQLite otherwise walks whichever range is written first, i.e. the whole
        of a commander's city to list one grid.
        """
        model = cast(type[ScopedModel], self.model)
        paths = scope_paths(user, model.permission_resource, action)
        field = model.scope_path_field
        if paths is EVERYWHERE:
            return self.filter(under(field, within))
        if any(within.startswith(p) for p in paths):
            ranges = [within]
        else:
            ranges = [p for p in paths if p.startswith(within)]
        if not ranges:
            return self.none()
        condition = Q()
        for path in ranges:
            condition |= under(field, path)
        return self.filter(condition)
