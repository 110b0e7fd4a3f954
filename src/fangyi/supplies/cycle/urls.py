"""The daily cycle's pages, under supplies/batches/."""

from django.urls import path

from . import views

app_name = "supplies_cycle"

urlpatterns = [
    path("", views.batch_list, name="list"),
    path("form/", views.form_batch, name="form"),
    path("<uuid:pk>/", views.batch_detail, name="batch"),
    path("deliveries/<uuid:pk>/", views.deliver, name="deliver"),
    path("dispatch/<uuid:pk>/", views.dispatch, name="dispatch"),
    path("cut-offs/<str:code>/", views.cut_off, name="cut-off"),
]
