"""The supplies pages for staff, under supplies/."""

from django.urls import path

from . import views

app_name = "supplies"

urlpatterns = [
    path("", views.board, name="board"),
    path("grid/", views.grid, name="grid"),
    path("new/", views.new, name="new"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<uuid:pk>/", views.catalogue_item, name="catalogue-item"),
    path("totals/", views.totals, name="totals"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/transition/", views.transition, name="transition"),
    path("<uuid:pk>/cost/", views.cost, name="cost"),
    path("<uuid:pk>/prescription/", views.prescription, name="prescription"),
]
