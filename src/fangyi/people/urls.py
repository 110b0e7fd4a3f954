from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="person-list"),
    path("new/", views.person_create, name="person-create"),
    path("<uuid:pk>/", views.person_detail, name="person-detail"),
    path("<uuid:pk>/reveal/", views.person_reveal, name="person-reveal"),
    path("<uuid:pk>/edit/", views.person_edit, name="person-edit"),
    path("households/new/", views.household_create, name="household-create"),
    path("households/<uuid:pk>/", views.household_detail, name="household-detail"),
]
