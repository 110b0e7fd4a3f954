from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SweepsConfig(AppConfig):
    name = "fangyi.sweeps"
    verbose_name = _("入户排查")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The sweep-coverage ledger registers itself on import.
        from . import ledger  # noqa: F401
