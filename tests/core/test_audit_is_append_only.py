import pytest

from fangyi.core.models import AuditRowIsImmutable, ObjectChange
from fangyi.people import services


def test_audit_rows_cannot_be_changed_or_deleted(city, officer):
    services.update_person(actor=officer, person=city.person_a, changes={"notes": "行动不便"})
    change = ObjectChange.objects.get()
    with pytest.raises(AuditRowIsImmutable):
        change.save()
    with pytest.raises(AuditRowIsImmutable):
        change.delete()
    with pytest.raises(AuditRowIsImmutable):
        ObjectChange.objects.all().update(reason="x")
    with pytest.raises(AuditRowIsImmutable):
        ObjectChange.objects.all().delete()


def test_audit_is_scoped_like_the_data(city, officer, worker_a):
    from ..factories import staff

    leader_b = staff("grid_leader", city.grid_b)
    services.update_person(actor=officer, person=city.person_a, changes={"notes": "独居"})
    assert ObjectChange.objects.restrict(officer, "view").count() == 1
    assert ObjectChange.objects.restrict(leader_b, "view").count() == 0
    assert ObjectChange.objects.restrict(worker_a, "view").count() == 0
