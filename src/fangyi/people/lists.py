"""A page of residents as every list of them shows it (the residents' list, a region's page):
one keyset page, and the rows alone for htmx to append."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from fangyi.core.views import cursor_page

PERSON_ORDERING = ("region_path", "id")


def person_page(request, queryset):
    """One cursor page of people (already restricted to what the user may view)."""
    queryset = queryset.select_related("household__building", "health_status")
    return cursor_page(request, queryset, PERSON_ORDERING)


def render_person_page(request, persons, next_cursor, *, select_persons=False):
    """The rows and "next page" link alone, for htmx to append to a list already on screen."""
    context = {"persons": persons, "next_cursor": next_cursor, "select_persons": select_persons}
    response = render(request, "people/_person_rows.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
