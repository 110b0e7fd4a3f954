from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "fangyi.screening"
    verbose_name = _("核酸筛查")
    default_auto_field = "django.db.models.BigAutoField"
