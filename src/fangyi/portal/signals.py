"""What the portal announces to other areas, so that the portal imports none of them."""

from django.dispatch import Signal

# Sent with `person` when a resident logs in with a one-time code (pages and API alike).
resident_logged_in = Signal()
