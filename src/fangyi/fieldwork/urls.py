from django.urls import path

from . import views

app_name = "fieldwork"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("assign/", views.assign_selected, name="assign-selected"),
    path("new/", views.bulk_create, name="bulk-create"),
    path("<uuid:pk>/", views.task_detail, name="detail"),
    path("<uuid:pk>/assign/", views.task_assign, name="assign"),
    path("<uuid:pk>/start/", views.task_start, name="start"),
    path("<uuid:pk>/complete/", views.task_complete, name="complete"),
    path("<uuid:pk>/fail/", views.task_fail, name="fail"),
    path("<uuid:pk>/reopen/", views.task_reopen, name="reopen"),
    path("<uuid:pk>/claim/", views.task_claim, name="claim"),
    path("<uuid:pk>/unclaim/", views.task_unclaim, name="unclaim"),
]
