from django.urls import path

from . import views

app_name = "regions"

urlpatterns = [
    path("", views.region_tree, name="tree"),
    path("<str:code>/", views.region_detail, name="detail"),
    path("<str:code>/children/", views.region_children, name="children"),
]
