import datetime

from django.utils import timezone

from fangyi.health import services
from fangyi.health.models import FactKind, Status


def test_zone_turns_residents_red_and_lifting_turns_them_green(city, officer):
    zone = services.draw_zone(
        actor=officer, kind="high", regions=[city.building_a], reason="新增阳性病例"
    )
    status = Status.objects.get(person=city.person_a)
    assert status.colour == "red"
    assert status.reasons[0]["zone"] == str(zone.pk)
    assert not Status.objects.filter(person=city.person_b).exists()
    assert services.current_status(city.person_b).colour == "green"
    lowered = services.lift_zone(actor=officer, zone=zone, reason="连续7天无新增")
    assert lowered is not None and lowered.kind == "medium"
    assert Status.objects.get(person=city.person_a).colour == "yellow"
    services.lift_zone(actor=officer, zone=lowered, reason="降为低风险")
    assert Status.objects.get(person=city.person_a).colour == "green"


def test_close_contact_fact(city, worker_a):
    exposed = timezone.now() - datetime.timedelta(days=2)
    fact = services.record_fact(
        actor=worker_a,
        source="manual",
        person=city.person_a,
        kind=FactKind.CLOSE_CONTACT,
        occurred_at=exposed,
    )
    status = Status.objects.get(person=city.person_a)
    assert status.colour == "red"
    assert status.reasons[0]["facts"] == [str(fact.pk)]
    assert status.valid_until is not None
