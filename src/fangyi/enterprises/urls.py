from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("new/", views.enterprise_create, name="create"),
    path("register/", views.self_register, name="register"),
    path("mine/", views.mine, name="mine"),
    path("me/", views.my_links, name="my-links"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<uuid:pk>/approve/", views.application_approve, name="approve"),
    path("applications/<uuid:pk>/return/", views.application_return, name="return"),
    path("<uuid:pk>/", views.enterprise_detail, name="detail"),
    path("<uuid:pk>/confirm/", views.enterprise_confirm, name="confirm"),
    path("<uuid:pk>/account/", views.open_account, name="account"),
    path("<uuid:pk>/apply/", views.apply, name="apply"),
    path("<uuid:pk>/employees/", views.employees, name="employees"),
    path("<uuid:pk>/employees/<uuid:link>/end/", views.employee_end, name="end"),
]
