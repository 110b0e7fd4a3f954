from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    name = "fangyi.checkpoints"
    verbose_name = _("卡点与场所码")
    default_auto_field = "django.db.models.BigAutoField"
