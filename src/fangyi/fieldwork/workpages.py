"""Tasks whose work is recorded on another area's page: the area that creates them names, by
their `source`, the page where they are worked (a delivery of the supplies cycle is done by
confirming the delivery, not by ticking the task done). Fieldwork names no area: each area
registers its own when its app is ready."""

from django.urls import reverse

PAGES: dict[str, str] = {}


def register(source: str, url_name: str) -> None:
    """Tasks of `source` are worked at `url_name`, a page taking the task's id."""
    PAGES[source] = url_name


def owned(task) -> bool:
    """Whether the task is finished on its area's page only."""
    return task.source in PAGES


def url_for(task) -> str | None:
    name = PAGES.get(task.source)
    return reverse(name, args=[task.pk]) if name else None
