"""The isolation pages. Each part of the work keeps its own views module and URL list."""

app_name = "isolation"

urlpatterns: list = []
