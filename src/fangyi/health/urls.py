from django.urls import path

from . import views

app_name = "health"

urlpatterns = [
    path("people/<uuid:pk>/", views.person_panel, name="person-panel"),
    path("people/<uuid:pk>/facts/new/", views.fact_create, name="fact-create"),
    path("people/<uuid:pk>/appeals/new/", views.appeal_create, name="appeal-create"),
    path("people/<uuid:pk>/decisions/new/", views.decision_create, name="decision-create"),
    path("regions/<str:code>/counts/", views.region_counts, name="region-counts"),
    path("zones/", views.zone_list, name="zone-list"),
    path("zones/new/", views.zone_create, name="zone-create"),
    path("zones/<uuid:pk>/lift/", views.zone_lift, name="zone-lift"),
    path("appeals/", views.appeal_list, name="appeal-list"),
    path("appeals/<uuid:pk>/", views.appeal_detail, name="appeal-detail"),
    path("decisions/", views.decision_list, name="decision-list"),
    path("decisions/<uuid:pk>/review/", views.decision_review, name="decision-review"),
    path("decisions/<uuid:pk>/revoke/", views.decision_revoke, name="decision-revoke"),
    path("policies/", views.policy_list, name="policy-list"),
    path("policies/<uuid:pk>/switch/", views.policy_switch, name="policy-switch"),
    path("recomputes/<uuid:pk>/retry/", views.recompute_retry, name="recompute-retry"),
]
