"""The follow-up pages, under isolation/check-ins/."""

from django.urls import path

from . import views

app_name = "followup"

urlpatterns = [
    path("", views.sheet, name="sheet"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<uuid:pk>/handle/", views.alert_handle, name="alert-handle"),
    path("missed/", views.missed, name="missed"),
    path("sites/<uuid:pk>/sampling/", views.sampling, name="sampling"),
]
