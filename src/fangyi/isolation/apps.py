from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IsolationConfig(AppConfig):
    name = "fangyi.isolation"
    verbose_name = _("隔离管控")
    default_auto_field = "django.db.models.BigAutoField"
