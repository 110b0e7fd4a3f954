import datetime

from fangyi.checkpoints.models import CheckIn, Venue


def visit(person, venue: Venue, at: datetime.datetime) -> CheckIn:
    return CheckIn.objects.create(person=person, venue=venue, at=at, colour="green")
