from django.urls import path

from . import views

app_name = "investigations"

urlpatterns = [
    path("", views.investigation_list, name="list"),
    path("chains/", views.chain_list, name="chain-list"),
    path("chains/<uuid:pk>/", views.chain_detail, name="chain"),
    path("contacts/<uuid:pk>/confirm/", views.contact_confirm, name="contact-confirm"),
    path("contacts/<uuid:pk>/dismiss/", views.contact_dismiss, name="contact-dismiss"),
    path("contacts/<uuid:pk>/found/", views.contact_found, name="contact-found"),
    path("<uuid:pk>/", views.investigation_detail, name="detail"),
    path("<uuid:pk>/edit/", views.investigation_edit, name="edit"),
    path("<uuid:pk>/team/", views.investigation_team, name="team"),
    path("<uuid:pk>/clock/", views.investigation_clock, name="clock"),
    path("<uuid:pk>/places/", views.place_add, name="place-add"),
    path("<uuid:pk>/propose/", views.propose, name="propose"),
    path("<uuid:pk>/contacts/", views.contact_add, name="contact-add"),
]
