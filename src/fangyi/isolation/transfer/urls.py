"""The transfer pages, under isolation/transfers/."""

from django.urls import path

from . import views

app_name = "transfer"

urlpatterns = [
    path("", views.batch_list, name="list"),
    path("new/", views.batch_create, name="create"),
    path("waiting/", views.waiting_list, name="waiting"),
    path("<uuid:pk>/", views.batch_detail, name="detail"),
    path("<uuid:pk>/depart/", views.depart, name="depart"),
    path("<uuid:pk>/arrive/", views.arrive, name="arrive"),
    path("<uuid:pk>/cancel/", views.cancel, name="cancel"),
    path("<uuid:pk>/passengers/<int:passenger>/pick-up/", views.pick_up, name="pick-up"),
    path("<uuid:pk>/passengers/<int:passenger>/not-found/", views.not_found, name="not-found"),
    path("<uuid:pk>/passengers/<int:passenger>/remove/", views.remove, name="remove"),
]
