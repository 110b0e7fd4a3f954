from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MarketsConfig(AppConfig):
    name = "fangyi.markets"
    verbose_name = _("生活必需品监测")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The price-reports ledger registers itself on import.
        from . import ledger  # noqa: F401
        from .presets import install_presets

        # After migrate and after a test database is flushed: the basket and a rule set exist.
        post_migrate.connect(install_presets, sender=self)
