from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "fangyi.ledgers"
    verbose_name = _("台账")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The built-in ledgers register themselves on import.
        from fangyi.core.workers import recover

        from . import households, regions, residents  # noqa: F401
        from .recovery import recover as recover_jobs

        recover.connect(recover_jobs, dispatch_uid="ledgers")
