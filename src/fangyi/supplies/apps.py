from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "fangyi.supplies"
    verbose_name = _("物资保供")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The costs ledger and the daily cycle's lists register themselves on import.
        from fangyi.fieldwork import workpages

        from . import ledger  # noqa: F401
        from .cycle import ledgers  # noqa: F401
        from .cycle.services import TASK_SOURCE

        # A delivery task of a batch is done by confirming the delivery on its page.
        workpages.register(TASK_SOURCE, "supplies_cycle:deliver")
