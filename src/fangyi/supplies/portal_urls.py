"""The residents' supplies pages, under me/supplies/ on the portal."""

from django.urls import path

from . import portal_views

app_name = "mysupplies"

urlpatterns = [
    path("", portal_views.mine, name="mine"),
    path("new/", portal_views.new, name="new"),
    path("<uuid:pk>/", portal_views.detail, name="detail"),
    path("<uuid:pk>/cancel/", portal_views.cancel, name="cancel"),
    path("<uuid:pk>/prescription/", portal_views.prescription, name="prescription"),
]
