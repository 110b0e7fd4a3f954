"""The grid worker's home-page card: requests to look after a relative, waiting for them."""

from fangyi.core.areas import Todo, bounded_count
from fangyi.core.permissions import CHANGE

from .models import Guardianship, lapse_cutoff


def guardianships_to_confirm(user) -> Todo:
    """The same requests as the queue: pending, naming a resident, not yet lapsed."""
    pending = Guardianship.objects.restrict(user, CHANGE).filter(
        state=Guardianship.State.PENDING,
        dependant__isnull=False,
        requested_at__gte=lapse_cutoff(),
    )
    count, more = bounded_count(pending)
    return Todo(count=count, more=more)
