from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IsolationConfig(AppConfig):
    name = "fangyi.isolation"
    verbose_name = _("隔离管控")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fangyi.health.signals import facts_recorded

        from .proposals import facts_recorded_receiver

        # Health sends it after the facts are committed; health never imports isolation.
        facts_recorded.connect(facts_recorded_receiver, dispatch_uid="isolation.proposals")
