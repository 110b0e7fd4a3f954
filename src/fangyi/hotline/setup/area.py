"""What the hotline's setup adds to its declarations: its pages' URLs, one link in the
hotline's menu group and its API under /api/v1/hotline/setup. The permission is the core's
`hotline_setup`."""

import dataclasses

from django.utils.translation import gettext_lazy as _

from fangyi.core.areas import ApiRouter, Area, NavLink, Urls
from fangyi.core.permissions import VIEW

from ..area import HOTLINE_GROUP, HOTLINE_SETUP


def with_setup(area: Area) -> Area:
    return dataclasses.replace(
        area,
        nav=(
            *area.nav,
            NavLink(
                _("热线设置"),
                "hotline_setup:index",
                ((HOTLINE_SETUP, VIEW),),
                group=HOTLINE_GROUP,
                order=50,
            ),
        ),
        urls=(*area.urls, Urls("hotline/setup/", "fangyi.hotline.setup.urls")),
        api=(*area.api, ApiRouter("/hotline/setup", "fangyi.hotline.setup.api.router")),
    )
