"""Home page, audit log, and what every area's pages share (cursor pages)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fangyi.core.areas import cards_for, work_screen_for
from fangyi.core.models import AccessEvent, ObjectChange
from fangyi.core.pagination import InvalidCursor, keyset_page
from fangyi.core.permissions import AUDIT, VIEW, assignments_of, can


def cursor_page[M: Model](
    request: HttpRequest, queryset: QuerySet[M], ordering: tuple[str, ...]
) -> tuple[list[M], str | None]:
    """One keyset page for `?cursor=`; a cursor we did not issue falls back to the first page."""
    cursor = request.GET.get("cursor") or None
    try:
        return keyset_page(
            queryset, ordering=ordering, cursor=cursor, size=settings.FANGYI_PAGE_SIZE
        )
    except InvalidCursor:
        messages.warning(request, _("翻页链接无效，已回到第一页。"))
        return keyset_page(queryset, ordering=ordering, cursor=None, size=settings.FANGYI_PAGE_SIZE)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A role with one screen to work at starts there; everyone else sees what waits for
    them, as the cards the areas declare for their roles."""
    user = request.user
    if not assignments_of(user) and not user.is_superuser:
        return render(request, "core/home.html", {"unassigned": True})
    work_screen = work_screen_for(user)
    if work_screen:
        return redirect(work_screen)
    return render(request, "core/home.html", {"cards": cards_for(user)})


AUDIT_KINDS: dict[str, type[ObjectChange] | type[AccessEvent]] = {
    "changes": ObjectChange,
    "access": AccessEvent,
}


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not can(request.user, AUDIT, VIEW):
        raise PermissionDenied
    requested_kind = request.GET.get("kind", "")
    kind = requested_kind if requested_kind in AUDIT_KINDS else "changes"
    object_id = request.GET.get("object", "").strip()[:64]
    actor = request.GET.get("actor", "").strip()[:150]
    matching = AUDIT_KINDS[kind].objects.restrict(request.user, VIEW)
    if object_id:
        matching = matching.filter(object_id=object_id)
    if actor:
        matching = matching.filter(actor_name=actor)
    rows, next_cursor = cursor_page(request, matching, ("-time", "-id"))
    return render(
        request,
        "core/audit_log.html",
        {
            "kind": kind,
            "object_id": object_id,
            "actor": actor,
            "rows": rows,
            "next_cursor": next_cursor,
        },
    )
