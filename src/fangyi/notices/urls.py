from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_create, name="create"),
    path("<uuid:pk>/", views.notice_detail, name="detail"),
    path("<uuid:pk>/edit/", views.notice_edit, name="edit"),
    path("<uuid:pk>/publish/", views.notice_publish, name="publish"),
    path("<uuid:pk>/withdraw/", views.notice_withdraw, name="withdraw"),
    path("<uuid:pk>/print/", views.notice_print, name="print"),
    path("<uuid:pk>/unreached/", views.notice_unreached, name="unreached"),
    path("<uuid:pk>/told/<uuid:household>/", views.notice_told, name="told"),
]
