from django.urls import path

from . import views

app_name = "isolation_documents"

urlpatterns = [
    path("orders/<uuid:order_id>/notice.pdf", views.notice, name="notice"),
    path("orders/<uuid:order_id>/release.pdf", views.release, name="release"),
    path("releases.pdf", views.releases, name="releases"),
]
