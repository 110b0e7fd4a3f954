from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "fangyi.hotline"
    verbose_name = _("12345 热线")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fangyi.fieldwork.signals import task_finished
        from fangyi.health.signals import appeal_decided
        from fangyi.supplies.signals import request_finished

        from . import receivers, setup_cache
        from .models import CalendarDay, Category, HandlingUnit, RoutingRule
        from .presets import install_presets

        # After migrate and after a test database is flushed: the category tree exists.
        post_migrate.connect(install_presets, sender=self)
        # Each process holds these tables in memory (setup_cache.py): a change tells them all.
        for model in (Category, HandlingUnit, RoutingRule, CalendarDay):
            for signal in (post_save, post_delete):
                signal.connect(
                    setup_cache.changed,
                    sender=model,
                    dispatch_uid=f"hotline.setup_cache.{model.__name__}",
                )
        # The work a ticket started is done: the ticket resolves (services.link_finished).
        request_finished.connect(receivers.supply_request_finished, dispatch_uid="hotline.supply")
        task_finished.connect(receivers.field_task_finished, dispatch_uid="hotline.task")
        appeal_decided.connect(receivers.appeal_decided, dispatch_uid="hotline.appeal")
        # The problem lists' ledger registers itself on import.
        from .problems import ledger  # noqa: F401
