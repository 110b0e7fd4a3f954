"""The hotline's setup pages, under hotline/setup/."""

from django.urls import path

from . import views

app_name = "hotline_setup"

urlpatterns = [
    path("", views.index, name="index"),
    path("categories/", views.categories, name="categories"),
    path("categories/new/", views.category_create, name="category-create"),
    path("categories/<int:pk>/", views.category_edit, name="category-edit"),
    path("units/", views.units, name="units"),
    path("units/new/", views.unit_create, name="unit-create"),
    path("units/<uuid:pk>/", views.unit_edit, name="unit-edit"),
    path("rules/", views.rules, name="rules"),
    path("rules/new/", views.rule_create, name="rule-create"),
    path("rules/<uuid:pk>/", views.rule_edit, name="rule-edit"),
    path("rules/<uuid:pk>/delete/", views.rule_delete, name="rule-delete"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<str:day>/delete/", views.calendar_delete, name="calendar-delete"),
    path("keys/", views.keys, name="keys"),
    path("keys/new/", views.key_create, name="key-create"),
    path("keys/<uuid:pk>/revoke/", views.key_revoke, name="key-revoke"),
]
