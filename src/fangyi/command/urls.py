from django.urls import path

from . import views

app_name = "command"

urlpatterns = [
    path("", views.screen, name="screen"),
    path("todo/", views.todo, name="todo"),
    path("outlines/", views.outlines, name="outlines"),
]
