"""The registry every area plugs into, so that core names no area.

Each area (an app under fangyi/) declares in its own `area.py` what it adds to the shell:

- `roles`: roles it brings (core brings today's nine);
- `grants`: its permission resources, each with what every role may do with it;
- `groups` and `nav`: links of the navigation bar, alone or in a dropdown group;
- `cards`: the home page's "to do" cards, by role;
- `work_screens`: the screen a role starts at instead of the home page;
- `urls` and `api`: its pages' URL module under a prefix, and its API routers, which
  fangyi/urls.py and fangyi/api.py mount;
- `periodic`: tasks to enqueue every so often (purges, sweeps), which `fangyi scheduler`
  enqueues on whatever task backend is configured (core/scheduling.py).

`CoreConfig.ready()` imports every installed app's `area` module
(`autodiscover_modules("area")`); each calls `register(Area(...))`. Functions that read the
database (cards, work screens that depend on the user) are named by dotted path and imported
when first used: an area's models import its resource constants from its area.py, so area.py
cannot import them back.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.module_loading import import_string

from .permissions import Actor, Role, assignments_of, can, grant, register_role

if TYPE_CHECKING:
    from ninja import Router

Label = str | Promise
Permission = tuple[str, str]


@dataclass(frozen=True)
class NavGroup:
    """A dropdown of the navigation bar; shown when one of its links is."""

    key: str
    label: Label
    order: int


@dataclass(frozen=True)
class NavLink:
    label: Label
    url_name: str
    # Shown to a user who may do any of these (resource, action); everyone when empty.
    shown_to: tuple[Permission, ...] = ()
    # Hidden from a user who may do this: "my tasks" gives way to "tasks" for those who assign.
    unless: Permission | None = None
    group: str = ""
    order: int = 100

    def visible_to(self, user: Actor) -> bool:
        if self.unless and can(user, *self.unless):
            return False
        return not self.shown_to or any(can(user, *permission) for permission in self.shown_to)


@dataclass(frozen=True)
class TodoItem:
    label: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class Todo:
    """What a card shows: a number and/or a few items, and a line of note."""

    count: int | None = None
    # The count stopped at the bound a card counts to: shown as "999+".
    more: bool = False
    items: Sequence[TodoItem] = ()
    note: str = ""
    # The list behind the card when it is not the card's own link (a filtered list).
    url: str = ""

    @property
    def empty(self) -> bool:
        return not self.count and not self.items


@dataclass(frozen=True)
class Card:
    """One area's "to do" for a user on the home page."""

    key: str
    title: Label
    # Shown instead of a number when there is nothing to do.
    empty: Label
    url_name: str
    # Roles whose home page shows the card (a superuser sees every card)...
    roles: frozenset[str]
    # ...if they may also do this; `compute` answers for the user's own scope.
    shown_to: Permission
    # Dotted path of a function (user) -> Todo. Keep it cheap: indexed, bounded counts.
    compute: str
    order: int = 100

    def visible_to(self, user: Actor) -> bool:
        if not can(user, *self.shown_to):
            return False
        if getattr(user, "is_superuser", False):
            return True
        return any(role in self.roles for role, _path in assignments_of(user))

    def todo_for(self, user: Actor) -> Todo:
        compute: Callable[[Actor], Todo] = _function(self.compute)
        return compute(user)


@dataclass(frozen=True)
class WorkScreen:
    """Where a role starts: a URL name, or a function (user) -> URL or None (dotted path)."""

    role: str
    url_name: str = ""
    locate: str = ""

    def url_for(self, user: Actor) -> str | None:
        if self.url_name:
            return reverse(self.url_name)
        locate: Callable[[Actor], str | None] = _function(self.locate)
        return locate(user)


@dataclass(frozen=True)
class Urls:
    """The area's pages: `module` (a URLconf) included under `prefix` ("health/")."""

    prefix: str
    module: str


@dataclass(frozen=True)
class ApiRouter:
    """A ninja router (dotted path) mounted at `prefix` of the API; lower `order` first."""

    prefix: str
    router: str
    order: int = 100


@dataclass(frozen=True)
class Periodic:
    """A task (dotted path of a `django.tasks` task taking no arguments) enqueued `every` so
    often. `name` is unique across areas and keys the last run in the database, so renaming
    a job starts it afresh."""

    name: str
    every: timedelta
    task: str


@dataclass(frozen=True)
class Area:
    name: str
    roles: Sequence[Role] = ()
    grants: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    groups: Sequence[NavGroup] = ()
    nav: Sequence[NavLink] = ()
    cards: Sequence[Card] = ()
    work_screens: Sequence[WorkScreen] = ()
    urls: Sequence[Urls] = ()
    api: Sequence[ApiRouter] = ()
    periodic: Sequence[Periodic] = ()


_AREAS: dict[str, Area] = {}


def register(area: Area) -> Area:
    """Adds an area's declarations; registering the same area again replaces them."""
    _AREAS[area.name] = area
    for role in area.roles:
        register_role(role)
    for resource, actions_by_role in area.grants.items():
        grant(resource, actions_by_role)
    return area


def areas() -> list[Area]:
    """The registered areas in the order of INSTALLED_APPS (an area's models may import its
    area.py, and so register it, before the others are discovered)."""
    position = {config.label: index for index, config in enumerate(apps.get_app_configs())}
    return sorted(_AREAS.values(), key=lambda area: position.get(area.name, len(position)))


def periodic_jobs() -> list[Periodic]:
    return [job for area in areas() for job in area.periodic]


def url_includes() -> list[Urls]:
    return [urls for area in areas() for urls in area.urls]


def api_routers() -> list[tuple[str, "Router"]]:
    """(prefix, router) pairs to mount, in order."""
    declared = [router for area in areas() for router in area.api]
    declared.sort(key=lambda router: router.order)
    return [(router.prefix, import_string(router.router)) for router in declared]


@cache
def _function(dotted_path: str) -> Any:
    """The function at `dotted_path`; its caller declares what kind of function it expects."""
    return import_string(dotted_path)


@dataclass(frozen=True)
class MenuEntry:
    """A link of the navigation bar, or a dropdown (`links` set) with the links it shows."""

    label: Label
    url: str = ""
    key: str = ""
    links: tuple["MenuEntry", ...] = ()


def menu_for(user: Actor) -> list[MenuEntry]:
    """The navigation bar for `user`: visible links in order, grouped into dropdowns; a group
    with one visible link is shown as that link."""
    groups = {group.key: group for area in _AREAS.values() for group in area.groups}
    placed: list[tuple[int, str, MenuEntry]] = []
    grouped: dict[str, list[tuple[int, MenuEntry]]] = {}
    for area in _AREAS.values():
        for link in area.nav:
            if not link.visible_to(user):
                continue
            entry = MenuEntry(label=link.label, url=reverse(link.url_name))
            if link.group:
                grouped.setdefault(link.group, []).append((link.order, entry))
            else:
                placed.append((link.order, str(link.label), entry))
    for key, links in grouped.items():
        group = groups[key]
        links.sort(key=lambda pair: pair[0])
        if len(links) == 1:
            placed.append((group.order, key, links[0][1]))
        else:
            dropdown = MenuEntry(
                label=group.label, key=key, links=tuple(entry for _order, entry in links)
            )
            placed.append((group.order, key, dropdown))
    placed.sort(key=lambda item: (item[0], item[1]))
    return [entry for _order, _key, entry in placed]


def cards_for(user: Actor) -> list[tuple[Card, Todo]]:
    cards = [card for area in _AREAS.values() for card in area.cards if card.visible_to(user)]
    cards.sort(key=lambda card: (card.order, card.key))
    return [(card, card.todo_for(user)) for card in cards]


def work_screen_for(user: Actor) -> str | None:
    """The URL a user starts at instead of the home page: the one work screen that every role
    they hold declares (a sampler's sampling screen; a worker's one grid). None for a
    superuser, for roles without a work screen, and for roles whose screens differ."""
    if getattr(user, "is_superuser", False):
        return None
    roles = {role for role, _path in assignments_of(user)}
    screens = {screen.role: screen for area in _AREAS.values() for screen in area.work_screens}
    if not roles or not roles <= screens.keys():
        return None
    urls = {screens[role].url_for(user) for role in roles}
    if len(urls) != 1 or None in urls:
        return None
    return urls.pop()


def bounded_count(queryset: QuerySet[Any], limit: int = 999) -> tuple[int, bool]:
    """(count, more): counts no further than `limit` rows, so a city-wide card stays cheap."""
    count = queryset[: limit + 1].count()
    return min(count, limit), count > limit
