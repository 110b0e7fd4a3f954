from django.urls import path

from . import views

app_name = "codes"

urlpatterns = [
    path("card/<uuid:person_id>/", views.card, name="card"),
    path("revoke/<uuid:person_id>/", views.revoke, name="revoke"),
]
