"""The sampling screen's API: open a tube, add people by code or choice, close it; search the
queue. One request per scan, every refusal a 4xx with the reason."""

import pytest

from fangyi.codes import services as codes
from fangyi.health import services as health
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.models import Tube
from tests.factories import PersonFactory, staff
from tests.support import ago, client_for, send

pytestmark = pytest.mark.django_db

TUBES = "/api/v1/screening/tubes"
PERSONS = "/api/v1/screening/sampling/persons"


def _messages(response) -> dict:
    return {error["field"]: error["message"] for error in response.json()["detail"]}


def test_a_tube_is_opened_filled_by_code_and_choice_and_closes_when_full(
    city, sampler, site, round_now, worker_b
):
    client = client_for(sampler)
    opened = send(client, "post", TUBES, {"barcode": "T0001", "site": str(site.pk), "pool_size": 5})
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert (body["barcode"], body["pool_size"], body["state"], body["round"]) == (
        "T0001",
        5,
        "open",
        1,
    )
    assert body["members"] == []
    display = codes.issue_display_code(person_id=city.person_a.pk).text
    added = send(client, "post", f"{TUBES}/T0001/samples", {"code": display})
    assert added.status_code == 201
    assert [m["name"] for m in added.json()["members"]] == ["王*明"]
    card = codes.issue_card_code(user=worker_b, person=city.person_b).text
    send(client, "post", f"{TUBES}/T0001/samples", {"code": card})
    others = [PersonFactory(household=city.household_a, name="张伟") for _ in range(3)]
    for person in others:
        last = send(client, "post", f"{TUBES}/T0001/samples", {"person": str(person.pk)})
    assert last.status_code == 201
    assert last.json()["state"] == "closed" and len(last.json()["members"]) == 5
    full = send(client, "post", f"{TUBES}/T0001/samples", {"person": str(city.person_a.pk)})
    assert full.status_code == 422
    assert _messages(full) == {"tube": "该试管已封管，不能再加入。"}


def test_opening_with_the_first_person_sizes_the_tube_for_them(
    city, officer, sampler, site, round_now
):
    health.record_fact(
        actor=officer,
        source="manual",
        person=city.person_a,
        kind="quarantine_start",
        occurred_at=ago(days=1),
        variant="centralised",
    )
    client = client_for(sampler)
    code = codes.issue_display_code(person_id=city.person_a.pk).text
    single = send(client, "post", TUBES, {"barcode": "S0001", "site": str(site.pk), "code": code})
    assert single.status_code == 201
    assert (single.json()["pool_size"], single.json()["state"]) == (1, "closed")
    pooled = send(
        client,
        "post",
        TUBES,
        {"barcode": "P0001", "site": str(site.pk), "person": str(city.person_b.pk)},
    )
    assert (pooled.json()["pool_size"], len(pooled.json()["members"])) == (10, 1)


def test_closing_by_hand(city, sampler, site, round_now):
    client = client_for(sampler)
    send(client, "post", TUBES, {"barcode": "T0001", "site": str(site.pk)})
    empty = client.post(f"{TUBES}/T0001/close")
    assert empty.status_code == 422
    assert _messages(empty) == {"tube": "空管不能封管，请先加入居民。"}
    send(client, "post", f"{TUBES}/T0001/samples", {"person": str(city.person_a.pk)})
    closed = client.post(f"{TUBES}/T0001/close")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    again = client.post(f"{TUBES}/T0001/close")
    assert _messages(again) == {"tube": "该试管已封管。"}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"pool_size": 7}, "pool_size", "混采人数应为以下之一：1、5、10、20。"),
        ({"barcode": "T 01"}, "barcode", "条码应为 4 到 32 位字母、数字或短横线。"),
        ({"code": "FY1:xyz"}, "code", "无法识别该码，请重新扫描。"),
        ({"code": "FY1:xyz", "person": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f60"}, "person", None),
        ({"person": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f60"}, "person", None),
    ],
    ids=["size-not-allowed", "bad-barcode", "forged-code", "code-and-person", "unknown-person"],
)
def test_refused_openings(city, sampler, site, round_now, body, field, message):
    response = send(
        client_for(sampler), "post", TUBES, {"barcode": "T0001", "site": str(site.pk)} | body
    )
    assert response.status_code == 422
    assert field in _messages(response)
    if message:
        assert _messages(response)[field] == message
    assert not Tube.objects.exists()


def test_duplicate_barcodes_and_people_twice_in_a_round(city, sampler, site, round_now):
    client = client_for(sampler)
    send(client, "post", TUBES, {"barcode": "T0001", "site": str(site.pk), "pool_size": 5})
    twice = send(client, "post", TUBES, {"barcode": "T0001", "site": str(site.pk)})
    assert _messages(twice) == {"barcode": "条码 T0001 已被使用，请换一支试管。"}
    send(client, "post", f"{TUBES}/T0001/samples", {"person": str(city.person_a.pk)})
    again = send(client, "post", f"{TUBES}/T0001/samples", {"person": str(city.person_a.pk)})
    assert _messages(again) == {"person": "该居民已在此管中。"}
    other = send(
        client,
        "post",
        TUBES,
        {"barcode": "T0002", "site": str(site.pk), "person": str(city.person_a.pk)},
    )
    assert _messages(other) == {"person": "该居民已在本轮另一支未封管的试管（T0001）中。"}
    assert not Tube.objects.filter(barcode="T0002").exists()


def test_a_person_in_quarantine_is_refused_in_a_pooled_tube(
    city, officer, sampler, site, round_now
):
    health.record_fact(
        actor=officer,
        source="manual",
        person=city.person_a,
        kind="quarantine_start",
        occurred_at=ago(days=1),
        variant="home",
    )
    client = client_for(sampler)
    send(client, "post", TUBES, {"barcode": "T0001", "site": str(site.pk), "pool_size": 10})
    refused = send(client, "post", f"{TUBES}/T0001/samples", {"person": str(city.person_a.pk)})
    assert _messages(refused) == {"person": "该居民正在隔离，须单管采样。"}


def test_who_may_sample_where(city, officer, sampler, site, round_now):
    stranger = staff("sampler", city.community, username="stranger")
    body = {"barcode": "T0001", "site": str(site.pk)}
    assert send(client_for(stranger), "post", TUBES, body).status_code == 403
    assert send(client_for(officer), "post", TUBES, body).status_code == 403
    far = staff("sampler", city.grid_b, username="far")
    outside = send(client_for(far), "post", TUBES, body)
    assert outside.status_code == 422 and "site" in _messages(outside)
    send(client_for(sampler), "post", TUBES, body)
    assert client_for(far).post(f"{TUBES}/T0001/close").status_code == 404
    assert client_for(stranger).post(f"{TUBES}/T0001/close").status_code == 403
    assert not Tube.objects.filter(state="closed").exists()


def test_no_round_running(city, officer, campaign, sampler, site):
    response = send(client_for(sampler), "post", TUBES, {"barcode": "T0001", "site": str(site.pk)})
    assert _messages(response) == {"site": "该采样点所属的筛查任务当前没有进行中的轮次。"}


def test_search_is_masked_limited_and_scoped(city, officer, sampler, site, round_now):
    client = client_for(sampler)
    found = client.get(PERSONS, {"site": str(site.pk), "q": city.person_a.id_tail})
    assert found.status_code == 200
    (person,) = found.json()
    assert person["id"] == str(city.person_a.pk)
    assert person["name"] == "王*明" and person["id_number"].count("*") == 10
    assert city.person_a.id_number not in found.content.decode()
    assert person["address"] == "1号楼1单元101" and person["sampled"] is False
    for _ in range(25):
        PersonFactory(household=city.household_b, name="张伟")
    assert len(client.get(PERSONS, {"site": str(site.pk), "q": "张"}).json()) == 20
    small = campaign_services.create_campaign(actor=officer, name="一网格", regions=[city.grid_a])
    campaign_services.add_round(
        actor=officer, campaign=small, starts_at=ago(hours=1), deadline=ago(hours=-1)
    )
    small_site = campaign_services.create_site(
        actor=officer,
        campaign=small,
        region=city.grid_a,
        name="点",
        capacity_per_hour=5,
        samplers=[sampler],
    )
    assert client.get(PERSONS, {"site": str(small_site.pk), "q": "张"}).json() == []
    stranger = staff("sampler", city.community, username="stranger")
    assert client_for(stranger).get(PERSONS, {"site": str(site.pk), "q": "王"}).status_code == 403
