from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "fangyi.command"
    verbose_name = _("指挥中心")
    default_auto_field = "django.db.models.BigAutoField"
