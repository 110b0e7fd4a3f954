"""What the residents' side adds to the hotline's declarations: the portal page where a
resident files a request and follows their own, and its API under /api/v1/me/tickets. Kept
here, so that the hotline's area.py stays as its core wrote it."""

import dataclasses

from fangyi.core.areas import ApiRouter, Area, Urls


def with_residents(area: Area) -> Area:
    return dataclasses.replace(
        area,
        urls=(*area.urls, Urls("me/tickets/", "fangyi.hotline.residents.urls")),
        # After the portal's own /me router, as the other areas' /me/… routers are.
        api=(*area.api, ApiRouter("/me/tickets", "fangyi.hotline.residents.api.router", order=90)),
    )
