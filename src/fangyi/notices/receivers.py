"""The notices area listens to the portal: a resident who logs in is one who reads notices
there, and gets no SMS for them from now on."""

from django.dispatch import receiver

from fangyi.portal.signals import resident_logged_in

from . import services


@receiver(resident_logged_in, dispatch_uid="notices.portal_resident")
def remember_portal_resident(sender, person, **kwargs) -> None:
    services.remember_portal_resident(person)
