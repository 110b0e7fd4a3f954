"""What other areas may want to hear about residents, without people importing them."""

from django.dispatch import Signal

# Sent inside the transaction that moved them, with `person_ids`: residents whose region path
# changed (a new household, a household moved to another building). Health recomputes their
# colours, since zones are drawn over regions.
residents_moved = Signal()
