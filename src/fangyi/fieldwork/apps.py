from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "fangyi.fieldwork"
    verbose_name = _("上门任务")
    default_auto_field = "django.db.models.BigAutoField"
