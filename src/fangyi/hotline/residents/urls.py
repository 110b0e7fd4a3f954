"""The resident's hotline requests, under me/tickets/ on the portal."""

from django.urls import path

from . import views

app_name = "mytickets"

urlpatterns = [path("", views.mine, name="mine")]
