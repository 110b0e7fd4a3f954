from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "fangyi.enterprises"
    verbose_name = _("企业复工复产")
    default_auto_field = "django.db.models.BigAutoField"
