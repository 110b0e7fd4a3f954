"""Recording tube results: what each kind of result writes, idempotency, and refusals."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fangyi.core.models import ObjectChange
from fangyi.fieldwork.models import Task
from fangyi.health.models import Fact
from fangyi.screening.lab import services as lab
from fangyi.screening.models import Sample, Tube

from .lab_support import ago, filled_tube, lab_user, residents, result

pytestmark = pytest.mark.django_db


def _errors(caught) -> dict:
    return caught.value.message_dict


def test_a_negative_pool_writes_a_negative_test_for_each_member(city, sampler, site, round_now):
    lab_staff = lab_user(city)
    members = residents(city, 10)
    tube = filled_tube(sampler, site, "N0001", members)
    tested_at = ago(minutes=5)
    counts = lab.record_results(
        actor=lab_staff, items=[result("N0001", "negative", tested_at=tested_at, ct_value=38.5)]
    )
    assert (counts.items, counts.resulted, counts.negative, counts.facts, counts.tasks) == (
        1,
        1,
        1,
        10,
        0,
    )
    tube.refresh_from_db()
    assert (tube.state, tube.result, tube.ct_value, tube.tested_at) == (
        "resulted",
        "negative",
        38.5,
        tested_at,
    )
    # Received with its result: the lab imported without scanning first.
    assert tube.received_by == lab_staff and tube.received_at == tube.resulted_at
    assert set(Sample.objects.filter(tube=tube).values_list("result", flat=True)) == {"negative"}
    facts = Fact.objects.filter(source="lab")
    assert facts.count() == 10
    sampled = dict(Sample.objects.filter(tube=tube).values_list("person_id", "sampled_at"))
    for fact in facts:
        assert (fact.kind, fact.outcome, fact.variant) == ("test_result", "negative", "pooled")
        assert fact.occurred_at == sampled[fact.person_id]
        assert fact.source_ref == "N0001" and fact.details == {"tube": "N0001", "ct": 38.5}
        assert fact.actor == lab_staff and fact.region_path == city.building_a.path
    # The facts are their own record; the tube's audit row says what its result caused.
    assert not ObjectChange.objects.filter(object_type="health.fact").exists()
    change = ObjectChange.objects.get(object_type="screening.tube", action="update")
    assert change.object_repr == "N0001" and change.after["result"] == "negative"
    assert change.after["member_fact"] == "test_result" and change.actor == lab_staff
    assert change.before["state"] == "closed"
    assert not Task.objects.exists()


def test_a_positive_pool_marks_members_and_asks_for_retests(city, sampler, site, round_now):
    lab_staff = lab_user(city)
    members = residents(city, 10)
    filled_tube(sampler, site, "P0001", members)
    counts = lab.record_results(actor=lab_staff, items=[result("P0001", "positive")])
    assert (counts.positive, counts.facts, counts.tasks, counts.recomputed) == (1, 10, 10, 10)
    facts = Fact.objects.filter(source="lab")
    assert set(facts.values_list("kind", "outcome", "variant")) == {("pooled_positive", "", "")}
    assert {fact.details["tube"] for fact in facts} == {"P0001"}
    tasks = Task.objects.filter(source="screening:retest")
    assert tasks.count() == 10
    assert {task.source_ref for task in tasks} == {f"P0001:{person.pk}" for person in members}
    task = tasks.first()
    assert task.kind == "home_sampling" and task.title == "单管复核采样" and task.status == "open"
    assert task.region_path == city.building_a.path and "P0001" in task.notes
    assert timezone.now() < task.due_at <= timezone.now() + datetime.timedelta(hours=12)
    assert task.created_by == lab_staff


def test_an_invalid_tube_asks_for_everyone_to_be_sampled_again(city, sampler, site, round_now):
    lab_staff = lab_user(city)
    members = residents(city, 5)
    filled_tube(sampler, site, "I0001", members)
    counts = lab.record_results(actor=lab_staff, items=[result("I0001", "invalid")])
    assert (counts.invalid, counts.facts, counts.tasks, counts.recomputed) == (1, 0, 5, 0)
    assert not Fact.objects.filter(source="lab").exists()
    tasks = Task.objects.filter(source="screening:resample")
    assert {task.person_id for task in tasks} == {person.pk for person in members}
    assert {task.title for task in tasks} == {"重新采样"}


def test_a_positive_single_tube_is_a_positive_test(city, sampler, site, round_now):
    person = residents(city, 1)[0]
    filled_tube(sampler, site, "S0001", [person])
    counts = lab.record_results(
        actor=lab_user(city), items=[result("S0001", "positive", ct_value=22)]
    )
    assert (counts.positive, counts.facts, counts.tasks) == (1, 1, 0)
    fact = Fact.objects.get(source="lab")
    assert (fact.kind, fact.outcome, fact.variant) == ("test_result", "positive", "single")
    assert fact.person_id == person.pk and fact.details == {"tube": "S0001", "ct": 22.0}


def test_the_same_result_again_changes_nothing(city, sampler, site, round_now):
    lab_staff = lab_user(city)
    filled_tube(sampler, site, "P0001", residents(city, 10))
    lab.record_results(actor=lab_staff, items=[result("P0001", "positive")])
    again = lab.record_results(
        actor=lab_staff, items=[result("P0001", "positive"), result("P0001", "positive")]
    )
    assert (again.items, again.resulted, again.unchanged, again.facts, again.tasks) == (
        2,
        0,
        1,
        0,
        0,
    )
    assert Fact.objects.filter(source="lab").count() == 10
    assert Task.objects.count() == 10
    assert ObjectChange.objects.filter(object_type="screening.tube", action="update").count() == 1


def test_a_different_result_for_a_resulted_tube_is_refused(city, sampler, site, round_now):
    lab_staff = lab_user(city)
    filled_tube(sampler, site, "N0001", residents(city, 10))
    lab.record_results(actor=lab_staff, items=[result("N0001", "negative")])
    with pytest.raises(ValidationError) as caught:
        lab.record_results(actor=lab_staff, items=[result("N0001", "positive")])
    message = _errors(caught)["0.result"][0]
    assert "阴性" in message and "阳性" in message and "更正" in message
    assert Fact.objects.filter(source="lab").count() == 10


def test_errors_name_the_item_and_nothing_is_written(city, sampler, site, round_now):
    lab_staff = lab_user(city)
    filled_tube(sampler, site, "N0001", residents(city, 10))
    filled_tube(sampler, site, "N0002", residents(city, 5))
    filled_tube(sampler, site, "N0003", residents(city, 5), minutes_ago=5)
    items = [
        result("N0001", "negative"),
        result("bad code", "negative"),
        result("N0002", "maybe"),
        result("N0002", "negative", tested_at=datetime.datetime(2026, 1, 1, 8, 0)),
        result("N0002", "negative", tested_at=ago(minutes=-30)),
        result("N0002", "negative", ct_value=51),
        result("N0002", "negative", ct_value=float("nan")),
        result("N0001", "positive"),
        result("U0001", "negative"),
        result("N0003", "negative", tested_at=ago(minutes=30)),
    ]
    with pytest.raises(ValidationError) as caught:
        lab.record_results(actor=lab_staff, items=items)
    errors = _errors(caught)
    assert errors == {
        "1.barcode": ["条码应为 4 到 32 位字母、数字或短横线。"],
        "2.result": ["检测结果应为阴性、阳性或无效（negative、positive、invalid）。"],
        "3.tested_at": ["检测时间必须带时区。"],
        "4.tested_at": ["检测时间不能晚于现在。"],
        "5.ct_value": ["Ct 值应为 0 到 50 之间的数字。"],
        "6.ct_value": ["Ct 值应为 0 到 50 之间的数字。"],
        "7.result": ["同一试管的结果与本批第 0 项不同。"],
    }
    # Checked against the database once every item is sound on its own.
    items = [items[0], items[8], items[9]]
    with pytest.raises(ValidationError) as caught:
        lab.record_results(actor=lab_staff, items=items)
    errors = _errors(caught)
    assert errors["1.barcode"] == ["条码 U0001：没有这支试管，或不在您的检测范围内。"]
    assert errors["2.tested_at"][0].startswith("检测时间早于封管时间")
    assert set(Tube.objects.values_list("state", flat=True)) == {"closed"}
    assert not Fact.objects.filter(source="lab").exists()


def test_an_open_tube_cannot_be_resulted(city, sampler, site, round_now):
    persons = residents(city, 3)
    from fangyi.screening.sampling import batches

    batches.record_samples(
        actor=sampler,
        items=[
            batches.SampleInput(
                tube="O0001", persons=[p.pk for p in persons], site=site, sampled_at=ago(minutes=9)
            )
        ],
    )
    with pytest.raises(ValidationError) as caught:
        lab.record_results(actor=lab_user(city), items=[result("O0001", "negative")])
    assert "尚未封管" in _errors(caught)["0.barcode"][0]


def test_only_the_lab_may_record_results(city, sampler, site, round_now, worker_a, officer):
    filled_tube(sampler, site, "N0001", residents(city, 10))
    for user in (sampler, worker_a, officer):
        with pytest.raises(PermissionDenied):
            lab.record_results(actor=user, items=[result("N0001", "negative")])
    assert Tube.objects.get(barcode="N0001").state == "closed"


def test_a_tube_outside_the_labs_region_is_unknown_to_it(city, sampler, site, round_now):
    from tests.factories import staff

    elsewhere = staff("lab", city.grid_b, username="lab_b")
    filled_tube(sampler, site, "N0001", residents(city, 10))
    with pytest.raises(ValidationError) as caught:
        lab.record_results(actor=elsewhere, items=[result("N0001", "negative")])
    assert _errors(caught) == {"0.barcode": ["条码 N0001：没有这支试管，或不在您的检测范围内。"]}


def test_a_long_barcode_still_gives_each_member_a_task(city, sampler, site, round_now):
    barcode = "L" * 32
    members = residents(city, 5)
    filled_tube(sampler, site, barcode, members)
    lab.record_results(actor=lab_user(city), items=[result(barcode, "positive")])
    refs = set(Task.objects.values_list("source_ref", flat=True))
    assert len(refs) == 5 and all(len(ref) == 64 and ref.startswith(barcode) for ref in refs)
