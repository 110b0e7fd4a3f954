"""Login lock-outs: axes' own per username and address, and one per address alone.

Axes locks a username at an address after FANGYI_LOGIN_FAILURE_LIMIT wrong passwords. One
wrong password tried against many usernames (password spraying) never trips that, and
axes' lockout parameters share one failure limit: an address alone would be locked as soon
as a username is. So the address gets its own, higher limit, "login-address" in
settings.FANGYI_RATE_LIMITS, counted from the failures axes already records.
"""

import logging
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

logger = logging.getLogger("fangyi.security")


def address_failures(address: str) -> int:
    """Wrong passwords from one address, whatever the usernames, in the limit's window."""
    _events, seconds = settings.FANGYI_RATE_LIMITS["login-address"]
    since = timezone.now() - timedelta(seconds=seconds)
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return total or 0


def address_locked(request: HttpRequest) -> bool:
    events, _seconds = settings.FANGYI_RATE_LIMITS["login-address"]
    address: str | None = getattr(request, "axes_ip_address", None)
    return address is not None and address_failures(address) >= events


class AddressAwareHandler(AxesDatabaseHandler):
    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or address_locked(request)

    def user_login_failed(
        self, sender, credentials: dict, request: HttpRequest | None = None, **kwargs
    ) -> None:
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if address_locked(request):
            logger.warning(
                "login locked out for address %s: %s wrong passwords across usernames",
                request.axes_ip_address,  # type: ignore[attr-defined]
                address_failures(request.axes_ip_address),  # type: ignore[attr-defined]
            )
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            user_locked_out.send(
                "axes",
                request=request,
                username=credentials.get("username"),
                ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
            )
