from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "fangyi.hotline"
    verbose_name = _("12345 热线")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .presets import install_presets

        # After migrate and after a test database is flushed: the category tree exists.
        post_migrate.connect(install_presets, sender=self)
        # The problem lists' ledger registers itself on import.
        from .problems import ledger  # noqa: F401
