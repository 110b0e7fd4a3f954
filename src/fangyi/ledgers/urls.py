from django.urls import path

from . import views

urlpatterns = [
    path("", views.ledger_index, name="ledger-index"),
    path("imports/<uuid:pk>/", views.import_job, name="ledger-import-job"),
    path("imports/<uuid:pk>/commit/", views.import_commit, name="ledger-import-commit"),
    path("imports/<uuid:pk>/errors/", views.import_errors, name="ledger-import-errors"),
    path("exports/<uuid:pk>/", views.export_job, name="ledger-export-job"),
    path("exports/<uuid:pk>/file/", views.export_file, name="ledger-export-file"),
    path("<slug:slug>/import/", views.import_form, name="ledger-import"),
    path("<slug:slug>/export/", views.export_form, name="ledger-export"),
    path("<slug:slug>/template/", views.template_download, name="ledger-template"),
]
