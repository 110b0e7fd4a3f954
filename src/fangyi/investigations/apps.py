from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestigationsConfig(AppConfig):
    name = "fangyi.investigations"
    verbose_name = _("流调溯源")
    default_auto_field = "django.db.models.BigAutoField"
