"""The residents' notices, under me/notices/ on the portal."""

from django.urls import path

from . import portal_views

app_name = "mynotices"

urlpatterns = [
    path("", portal_views.mine, name="mine"),
    path("<uuid:pk>/", portal_views.detail, name="detail"),
    path("<uuid:pk>/confirm/", portal_views.confirm, name="confirm"),
]
