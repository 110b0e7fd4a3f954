from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "fangyi.supplies"
    verbose_name = _("物资保供")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The costs ledger registers itself on import.
        from . import ledger  # noqa: F401
