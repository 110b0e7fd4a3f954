from typing import Any

from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


def create_cache_table(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # The database cache's table (settings.CACHES) is no model: migrate creates it here, so
    # every way of setting a database up (the demo, a deployment, a restore) has it.
    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "fangyi.core"
    verbose_name = _("核心")

    def ready(self) -> None:
        # Every installed app's area.py declares its roles, permissions, links and cards.
        autodiscover_modules("area")
        from . import checks  # noqa: F401  (registers the check of the declarations)

        post_migrate.connect(create_cache_table, sender=self)
