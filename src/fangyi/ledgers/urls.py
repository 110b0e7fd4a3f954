from django.urls import path

from . import views

app_name = "ledgers"

urlpatterns = [
    path("", views.ledger_index, name="index"),
    path("imports/<uuid:pk>/", views.import_job, name="import-job"),
    path("imports/<uuid:pk>/commit/", views.import_commit, name="import-commit"),
    path("imports/<uuid:pk>/errors/", views.import_errors, name="import-errors"),
    path("imports/<uuid:pk>/retry/", views.import_retry, name="import-retry"),
    path("exports/<uuid:pk>/", views.export_job, name="export-job"),
    path("exports/<uuid:pk>/retry/", views.export_retry, name="export-retry"),
    path("exports/<uuid:pk>/file/", views.export_file, name="export-file"),
    path("<slug:slug>/import/", views.import_form, name="import"),
    path("<slug:slug>/export/", views.export_form, name="export"),
    path("<slug:slug>/template/", views.template_download, name="template"),
]
