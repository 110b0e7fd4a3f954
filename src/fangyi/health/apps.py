from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "fangyi.health"
    verbose_name = _("健康状态")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from fangyi.core.workers import recover
        from fangyi.people.signals import residents_moved

        from .presets import install_presets
        from .runs import recover as recover_runs
        from .services import residents_moved_receiver

        # After migrate and after a test database is flushed: the shipped plans always exist.
        post_migrate.connect(install_presets, sender=self)
        residents_moved.connect(residents_moved_receiver)
        recover.connect(recover_runs, dispatch_uid="health")
