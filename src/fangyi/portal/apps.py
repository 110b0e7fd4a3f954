from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "fangyi.portal"
    verbose_name = _("居民端")
    default_auto_field = "django.db.models.BigAutoField"
