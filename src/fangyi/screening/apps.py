from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "fangyi.screening"
    verbose_name = _("核酸筛查")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from fangyi.people.signals import residents_moved
        from fangyi.screening.campaigns.services import residents_moved_receiver

        # The lab-results and missing-list ledgers register themselves on import.
        from fangyi.screening.coverage import ledger as missing_ledger  # noqa: F401
        from fangyi.screening.lab import ledger as results_ledger  # noqa: F401

        residents_moved.connect(residents_moved_receiver)
