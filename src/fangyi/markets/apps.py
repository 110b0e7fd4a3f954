from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketsConfig(AppConfig):
    name = "fangyi.markets"
    verbose_name = _("生活必需品监测")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The price-reports ledger registers itself on import.
        from . import ledger  # noqa: F401
