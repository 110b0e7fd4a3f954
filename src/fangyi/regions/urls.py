from django.urls import path

from . import views

urlpatterns = [
    path("", views.region_tree, name="region-tree"),
    path("<str:code>/", views.region_detail, name="region-detail"),
    path("<str:code>/children/", views.region_children, name="region-children"),
]
