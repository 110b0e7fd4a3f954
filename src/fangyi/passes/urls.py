from django.urls import path

from . import views

app_name = "passes"

urlpatterns = [
    path("", views.pass_list, name="list"),
    path("new/", views.pass_create, name="create"),
    path("mine/", views.my_pass, name="mine"),
    path("mine/panel/", views.my_pass_panel, name="mine-panel"),
    path("<uuid:pk>/", views.pass_detail, name="detail"),
    path("<uuid:pk>/edit/", views.pass_edit, name="edit"),
    path("<uuid:pk>/suspend/", views.pass_suspend, name="suspend"),
    path("<uuid:pk>/resume/", views.pass_resume, name="resume"),
    path("<uuid:pk>/revoke/", views.pass_revoke, name="revoke"),
]
