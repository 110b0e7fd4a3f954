"""The hotline's pages for staff, under hotline/."""

from django.urls import path

from . import views

app_name = "hotline"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("overdue/", views.overdue, name="overdue"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("caller/", views.caller, name="caller"),
    path("<uuid:pk>/", views.ticket, name="ticket"),
]
