"""The isolation pages. Daily follow-up keeps its own views module and adds its names here."""

from django.urls import path

from . import views

app_name = "isolation"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/confirm/", views.queue_confirm, name="queue-confirm"),
    path("orders/", views.order_list, name="order-list"),
    path("orders/<uuid:pk>/", views.order_detail, name="order-detail"),
    path("orders/<uuid:pk>/extend/", views.order_extend, name="order-extend"),
    path("orders/<uuid:pk>/replan/", views.order_replan, name="order-replan"),
    path("orders/<uuid:pk>/cancel/", views.order_cancel, name="order-cancel"),
    path("orders/<uuid:pk>/hospital/", views.order_hospital, name="order-hospital"),
    path("orders/<uuid:pk>/release/", views.order_release, name="order-release"),
    path("orders/<uuid:pk>/move/", views.order_move, name="order-move"),
    path("due/", views.due, name="due"),
    path("due/release/", views.due_release, name="due-release"),
    path("sites/", views.site_list, name="site-list"),
    path("sites/new/", views.site_create, name="site-create"),
    path("sites/<uuid:pk>/", views.site_detail, name="site-detail"),
    path("sites/<uuid:pk>/edit/", views.site_edit, name="site-edit"),
    path("sites/<uuid:pk>/rooms/", views.site_rooms, name="site-rooms"),
]
