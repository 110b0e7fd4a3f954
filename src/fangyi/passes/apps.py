from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PassesConfig(AppConfig):
    name = "fangyi.passes"
    verbose_name = _("保供通行证")
    default_auto_field = "django.db.models.BigAutoField"
