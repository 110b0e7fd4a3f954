from django.urls import path

from fangyi.core import offline

from . import views

app_name = "checkpoints"

urlpatterns = [
    path("venues/", views.venue_list, name="venue-list"),
    path("venues/new/", views.venue_create, name="venue-create"),
    path("venues/<uuid:pk>/", views.venue_detail, name="venue-detail"),
    path("venues/<uuid:pk>/edit/", views.venue_edit, name="venue-edit"),
    path("venues/<uuid:pk>/place-code/", views.place_code, name="place-code"),
    path("v/", views.check_in, name="check-in"),
    path("scan/", views.scan, name="scan"),
    path("sw.js", offline.service_worker, {"scope": "/checkpoints/"}, name="service-worker"),
]
