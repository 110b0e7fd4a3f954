from django.urls import include, path

from fangyi.core.areas import url_includes

from .api import api

# Every area's pages come from its area.py (`urls`): adding an area does not touch this file.
urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    *(path(urls.prefix, include(urls.module)) for urls in url_includes()),
]
