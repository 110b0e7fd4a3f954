"""The hotline's pages for staff, under hotline/."""

from django.urls import path

from . import views

app_name = "hotline"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("overdue/", views.overdue, name="overdue"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("caller/", views.caller, name="caller"),
    path("intake/", views.intake, name="intake"),
    path("<uuid:pk>/", views.ticket, name="ticket"),
    path("<uuid:pk>/accept/", views.accept, name="accept"),
    path("<uuid:pk>/return/", views.give_back, name="return"),
    path("<uuid:pk>/note/", views.note, name="note"),
    path("<uuid:pk>/reply/", views.answer, name="reply"),
    path("<uuid:pk>/resolve/", views.resolve, name="resolve"),
    path("<uuid:pk>/dispatch/", views.dispatch, name="dispatch"),
    path("<uuid:pk>/callback/", views.callback, name="callback"),
    path("<uuid:pk>/merge/", views.merge, name="merge"),
    path("<uuid:pk>/place/", views.place, name="place"),
    path("<uuid:pk>/supply/", views.start_supply, name="supply"),
    path("<uuid:pk>/task/", views.start_task, name="task"),
    path("<uuid:pk>/appeal/", views.start_appeal, name="appeal"),
]
