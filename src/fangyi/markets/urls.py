from django.urls import path

from . import views

app_name = "markets"

urlpatterns = [
    path("", views.lights, name="lights"),
    path("lights/<uuid:pk>/", views.light_detail, name="light"),
    path("lights/<uuid:pk>/actions/", views.light_action, name="light-action"),
    path("report/", views.report_points, name="report"),
    path("points/", views.point_list, name="points"),
    path("points/<uuid:pk>/report/", views.report_form, name="report-point"),
    path("missing/", views.missing, name="missing"),
]
