from django.urls import include, path

from .api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("fangyi.accounts.urls")),
    path("", include("fangyi.core.urls")),
    path("regions/", include("fangyi.regions.urls")),
    path("people/", include("fangyi.people.urls")),
    path("ledgers/", include("fangyi.ledgers.urls")),
    path("health/", include("fangyi.health.urls")),
    path("codes/", include("fangyi.codes.urls")),
    path("me/", include("fangyi.portal.urls")),
    path("checkpoints/", include("fangyi.checkpoints.urls")),
    path("tasks/", include("fangyi.fieldwork.urls")),
    path("screening/", include("fangyi.screening.urls")),
]
