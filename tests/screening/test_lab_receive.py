"""Receiving tubes at the lab: closed tubes only, idempotent, refusals name the barcode."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.screening.lab import services as lab
from fangyi.screening.models import Tube
from fangyi.screening.sampling import batches

from .lab_support import ago, filled_tube, lab_user, residents, result

pytestmark = pytest.mark.django_db


def test_closed_tubes_are_received_once(city, sampler, site, round_now):
    lab_staff = lab_user(city)
    filled_tube(sampler, site, "N0001", residents(city, 10))
    filled_tube(sampler, site, "N0002", residents(city, 5))
    counts = lab.receive_tubes(actor=lab_staff, barcodes=["N0001", " N0002 ", "N0001"])
    assert (counts.received, counts.unchanged) == (2, 0)
    tube = Tube.objects.get(barcode="N0001")
    assert tube.state == "received" and tube.received_by == lab_staff
    change = ObjectChange.objects.get(
        object_id=str(tube.pk), action="update", after__state="received"
    )
    assert change.before == {"state": "closed", "received_at": None}
    again = lab.receive_tubes(actor=lab_staff, barcodes=["N0001"])
    assert (again.received, again.unchanged) == (0, 1)
    assert Tube.objects.get(barcode="N0001").received_at == tube.received_at
    # A result later keeps when and by whom it was received.
    lab.record_results(actor=lab_staff, items=[result("N0001", "negative")])
    resulted = Tube.objects.get(barcode="N0001")
    assert resulted.received_at == tube.received_at and resulted.state == "resulted"


def test_refusals_name_each_barcode(city, sampler, site, round_now):
    lab_staff = lab_user(city)
    filled_tube(sampler, site, "N0001", residents(city, 10))
    lab.record_results(actor=lab_staff, items=[result("N0001", "negative")])
    batches.record_samples(
        actor=sampler,
        items=[
            batches.SampleInput(
                tube="O0001",
                persons=[p.pk for p in residents(city, 2)],
                site=site,
                sampled_at=ago(minutes=9),
            )
        ],
    )
    with pytest.raises(ValidationError) as caught:
        lab.receive_tubes(actor=lab_staff, barcodes=["N0001", "O0001", "X0001"])
    assert caught.value.message_dict == {
        "0": ["条码 N0001：该试管已出结果（阴性），无需再接收。"],
        "1": ["条码 O0001：试管尚未封管，请采样点封管后再送检。"],
        "2": ["条码 X0001：没有这支试管，或不在您的检测范围内。"],
    }
    with pytest.raises(ValidationError) as caught:
        lab.receive_tubes(actor=lab_staff, barcodes=["ok", None])
    assert set(caught.value.message_dict) == {"0", "1"}


def test_only_the_lab_receives(city, sampler, site, round_now, worker_a):
    filled_tube(sampler, site, "N0001", residents(city, 10))
    for user in (sampler, worker_a):
        with pytest.raises(PermissionDenied):
            lab.receive_tubes(actor=user, barcodes=["N0001"])
    assert Tube.objects.get(barcode="N0001").state == "closed"
