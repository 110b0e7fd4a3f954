from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fangyi.core"
    verbose_name = _("核心")

    def ready(self) -> None:
        # Every installed app's area.py declares its roles, permissions, links and cards.
        autodiscover_modules("area")
        from . import checks  # noqa: F401  (registers the check of the declarations)
