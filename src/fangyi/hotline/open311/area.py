"""What Open311 GeoReport v2 adds to the hotline's declarations: its public URLs under
/open311/v2/. No permission: reading is public (and shows only what is public, public.py),
filing needs a partner's key."""

import dataclasses

from fangyi.core.areas import Area, Urls


def with_open311(area: Area) -> Area:
    return dataclasses.replace(
        area, urls=(*area.urls, Urls("open311/v2/", "fangyi.hotline.open311.urls"))
    )
