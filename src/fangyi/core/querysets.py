from django.db import models
from django.db.models import Q

from .paths import under
from .permissions import EVERYWHERE, scope_paths


class RestrictedQuerySet(models.QuerySet):
    """Every queryset that shows data to a person goes through `restrict`.

    A model declares `permission_resource` (a key of the permission matrix) and
    `scope_path_field` (the field that holds its region path).
    """

    def restrict(self, user, action: str = "view"):
        paths = scope_paths(user, self.model.permission_resource, action)
        if paths is EVERYWHERE:
            return self
        if not paths:
            return self.none()
        field = self.model.scope_path_field
        condition = Q()
        for path in paths:
            condition |= under(field, path)
        return self.filter(condition)
