"""Open311 GeoReport v2 plugs into the shell as an area of its own: its public URLs under
/open311/v2/. It declares no permission: reading is public (and shows only what is public,
views.py), filing needs a partner's key."""

from fangyi.core.areas import Area, Urls, register

register(Area(name="hotline_open311", urls=(Urls("open311/v2/", "fangyi.hotline.open311.urls"),)))
