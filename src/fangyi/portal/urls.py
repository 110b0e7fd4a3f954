from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.my_code, name="code"),
    path("code/panel/", views.code_panel, name="code-panel"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("status/", views.my_status, name="status"),
    path("appeal/", views.appeal, name="appeal"),
    path("declare/health/", views.declare_health, name="declare-health"),
    path("declare/trip/", views.declare_trip, name="declare-trip"),
    path("check-in/", views.check_in, name="check-in"),
    path("people/", views.dependants, name="dependants"),
    path("people/<uuid:pk>/end/", views.dependant_end, name="dependant-end"),
    path("staff/guardianships/", views.guardianship_queue, name="guardianship-queue"),
    path(
        "staff/guardianships/<uuid:pk>/decide/",
        views.guardianship_decide,
        name="guardianship-decide",
    ),
]
