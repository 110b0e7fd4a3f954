from django.urls import path

from . import views

app_name = "command_briefings"

urlpatterns = [
    path("", views.briefing_list, name="list"),
    path("generate/", views.generate, name="generate"),
    path("template/", views.edit_template, name="template"),
    path("<uuid:pk>/pdf/", views.download, {"kind": "pdf"}, name="pdf"),
    path("<uuid:pk>/docx/", views.download, {"kind": "docx"}, name="docx"),
]
