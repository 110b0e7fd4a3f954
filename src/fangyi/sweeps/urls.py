from django.urls import path

from fangyi.core import offline

from . import views

app_name = "sweeps"

urlpatterns = [
    path("", views.sweep_list, name="list"),
    path("new/", views.sweep_new, name="new"),
    path("sw.js", offline.service_worker, {"scope": "/sweeps/"}, name="service-worker"),
    path("<uuid:pk>/", views.sweep_detail, name="detail"),
    path("<uuid:pk>/end/", views.sweep_end, name="end"),
    path("<uuid:pk>/buildings/", views.sweep_buildings, name="buildings"),
    path("<uuid:pk>/sheet/", views.sweep_sheet, name="sheet"),
    path("<uuid:pk>/problems/", views.sweep_problems, name="problems"),
    path("<uuid:pk>/refused/", views.sweep_refused, name="refused"),
    path(
        "<uuid:pk>/problems/<uuid:household>/keep/",
        views.problem_keep,
        name="problem-keep",
    ),
    path(
        "<uuid:pk>/problems/<uuid:household>/handled/",
        views.problem_handled,
        name="problem-handled",
    ),
]
