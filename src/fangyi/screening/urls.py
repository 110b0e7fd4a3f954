"""The screening pages. Each part keeps its own views module and URL list."""

from . import coverage_views, lab_views, views

app_name = "screening"

urlpatterns = views.urlpatterns + lab_views.urlpatterns + coverage_views.urlpatterns
