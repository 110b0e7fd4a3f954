"""The markets card: active points in the user's scope without a report today, once the
10:00 deadline has passed."""

from fangyi.core.areas import Todo, bounded_count

from . import services


def not_reported(user) -> Todo:
    if not services.past_deadline():
        return Todo()
    count, more = bounded_count(services.missing_points(user))
    return Todo(count=count, more=more)
