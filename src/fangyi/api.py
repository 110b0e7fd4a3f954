"""The JSON API at /api/v1/: one NinjaAPI, one router per area."""

from ninja import NinjaAPI

api = NinjaAPI(title="fangyi", version="1", urls_namespace="api")
