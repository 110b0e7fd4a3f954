"""`fangyi check` reads the areas' declarations, so that a slip in an area.py (a role nobody
declared, a URL name that does not exist, a card function that cannot be imported) is found
at start-up and not as a broken navigation bar."""

from collections.abc import Sequence

from django.apps import AppConfig
from django.core import checks
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from . import permissions
from .areas import areas


@checks.register()
def area_declarations(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    known_roles = set(permissions.role_codes())
    for role in sorted(set(permissions.MATRIX) - known_roles):
        errors.append(
            checks.Error(
                f"Permissions are granted to the role {role!r}, which no area declares.",
                id="fangyi.E001",
            )
        )
    groups = {group.key for area in areas() for group in area.groups}
    for area in areas():
        url_names = [link.url_name for link in area.nav]
        url_names += [card.url_name for card in area.cards]
        url_names += [screen.url_name for screen in area.work_screens if screen.url_name]
        for url_name in url_names:
            try:
                reverse(url_name)
            except NoReverseMatch:
                errors.append(
                    checks.Error(f"{area.name}: no URL is named {url_name!r}.", id="fangyi.E002")
                )
        functions = [card.compute for card in area.cards]
        functions += [screen.locate for screen in area.work_screens if screen.locate]
        for dotted_path in functions:
            try:
                import_string(dotted_path)
            except ImportError:
                errors.append(
                    checks.Error(f"{area.name}: cannot import {dotted_path!r}.", id="fangyi.E003")
                )
        for link in area.nav:
            if link.group and link.group not in groups:
                errors.append(
                    checks.Error(
                        f"{area.name}: the link {link.url_name!r} names the undeclared group "
                        f"{link.group!r}.",
                        id="fangyi.E004",
                    )
                )
        for screen in area.work_screens:
            if screen.role not in known_roles:
                errors.append(
                    checks.Error(
                        f"{area.name}: a work screen for the undeclared role {screen.role!r}.",
                        id="fangyi.E001",
                    )
                )
    errors += _periodic_declarations()
    return errors


def _periodic_declarations() -> list[checks.CheckMessage]:
    from django.tasks import Task

    errors: list[checks.CheckMessage] = []
    seen: set[str] = set()
    for area in areas():
        for job in area.periodic:
            if job.name in seen:
                errors.append(
                    checks.Error(
                        f"{area.name}: a second periodic job is named {job.name!r}.",
                        id="fangyi.E005",
                    )
                )
            seen.add(job.name)
            try:
                task = import_string(job.task)
            except ImportError:
                task = None
            if not isinstance(task, Task):
                errors.append(
                    checks.Error(
                        f"{area.name}: the periodic job {job.name!r} names {job.task!r}, which "
                        "is not a django.tasks task.",
                        id="fangyi.E006",
                    )
                )
    return errors
