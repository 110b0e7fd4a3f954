"""The screening pages. Each part of the workflow keeps its own views module and URL list."""

from fangyi.screening.campaigns import views as campaign_views
from fangyi.screening.coverage import views as coverage_views
from fangyi.screening.lab import views as lab_views
from fangyi.screening.sampling import views as sampling_views

app_name = "screening"

urlpatterns = (
    campaign_views.urlpatterns
    + sampling_views.urlpatterns
    + lab_views.urlpatterns
    + coverage_views.urlpatterns
)
