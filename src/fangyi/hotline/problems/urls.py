"""The day's problem lists' pages, under hotline/problems/."""

from django.urls import path

from . import views

app_name = "hotline_problems"

urlpatterns = [
    path("", views.list_index, name="lists"),
    path("make/", views.make_list, name="make"),
    path("<uuid:pk>/", views.list_detail, name="detail"),
    path("<uuid:pk>/items/new/", views.add_item, name="add-item"),
    path("items/<uuid:pk>/", views.item_outcome, name="item"),
]
