from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CodesConfig(AppConfig):
    name = "fangyi.codes"
    verbose_name = _("健康码")
    default_auto_field = "django.db.models.BigAutoField"
