"""Open311 GeoReport v2's URLs, under open311/v2/: each resource in JSON or XML by its
extension."""

from django.urls import path, register_converter

from . import views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "open311_format")

app_name = "hotline_open311"

urlpatterns = [
    path("services.<open311_format:fmt>", views.service_list, name="services"),
    path("services/<str:code>.<open311_format:fmt>", views.service_definition, name="service"),
    path("requests.<open311_format:fmt>", views.request_list, name="requests"),
    path("requests/<str:number>.<open311_format:fmt>", views.request_detail, name="request"),
]
