"""The whitelist's pages (list with filters, form, detail with suspend and revoke that ask for a
reason and a confirmation) and the holder's pass on the phone."""

import datetime

import pytest
from django.utils import timezone

from fangyi.passes.models import PassState, SupplyPass
from tests.passes.support import sampled, whitelist
from tests.support import ago, resident_client, signed_in

pytestmark = pytest.mark.django_db


def test_the_list_filters_by_state_role_and_region(officer, city):
    active = whitelist(officer, city, region=city.grid_a, areas=[city.grid_a])
    other = whitelist(officer, city, region=city.grid_b, areas=[city.grid_b], role="volunteer")
    client = signed_in(officer)
    page = client.get("/passes/").content.decode()
    assert str(active.pk) in page and str(other.pk) in page
    by_role = client.get("/passes/", {"role": "volunteer"}).content.decode()
    assert str(active.pk) not in by_role and str(other.pk) in by_role
    by_region = client.get("/passes/", {"region": city.grid_a.code}).content.decode()
    assert str(active.pk) in by_region and str(other.pk) not in by_region
    assert str(active.pk) not in client.get("/passes/", {"state": "revoked"}).content.decode()


def test_the_form_whitelists_and_shows_errors_beside_fields(officer, city):
    client = signed_in(officer)
    today = timezone.localdate()
    form = {
        "id_number": city.person_b.id_number,
        "name": city.person_b.name,
        "region": city.street.code,
        "areas": f"{city.grid_a.code}，{city.grid_b.code}",
        "role": "courier",
        "organisation": "闽运快递",
        "plate": "闽A1",
        "valid_from": today.isoformat(),
        "valid_until": (today + datetime.timedelta(days=3)).isoformat(),
    }
    refused = client.post("/passes/new/", form)
    assert refused.status_code == 200
    assert "车牌号格式不对" in refused.content.decode()
    created = client.post("/passes/new/", form | {"plate": "闽A12345"})
    assert created.status_code == 302
    supply_pass = SupplyPass.objects.get(person=city.person_b)
    assert created["Location"] == f"/passes/{supply_pass.pk}/"
    assert set(supply_pass.areas.all()) == {city.grid_a, city.grid_b}


def test_suspend_and_revoke_ask_for_a_reason_and_a_confirmation(officer, city):
    supply_pass = whitelist(officer, city)
    client = signed_in(officer)
    detail = client.get(f"/passes/{supply_pass.pk}/").content.decode()
    assert "暂停通行证" in detail and "撤销通行证" in detail
    client.post(f"/passes/{supply_pass.pk}/suspend/", {"reason": "投诉"})
    supply_pass.refresh_from_db()
    assert supply_pass.state == PassState.ACTIVE
    client.post(f"/passes/{supply_pass.pk}/suspend/", {"reason": "投诉", "confirm": "1"})
    supply_pass.refresh_from_db()
    assert supply_pass.state == PassState.SUSPENDED
    client.post(f"/passes/{supply_pass.pk}/revoke/", {"reason": "离职", "confirm": "1"})
    supply_pass.refresh_from_db()
    assert supply_pass.state == PassState.REVOKED


def test_the_edit_form_never_shows_the_id_number(officer, city):
    supply_pass = whitelist(officer, city)
    page = signed_in(officer).get(f"/passes/{supply_pass.pk}/edit/").content.decode()
    assert supply_pass.person.id_number not in page
    assert supply_pass.person.name not in page


def test_the_holder_sees_their_pass_and_why_a_checkpoint_would_refuse_it(officer, city):
    supply_pass = whitelist(officer, city)
    client = resident_client(supply_pass.person)
    page = client.get("/passes/mine/").content.decode()
    assert 'id="my-code"' in page and 'data-code="FY1:' in page
    assert "无记录" in page and 'id="pass-refusal"' in page
    sampled(officer, supply_pass.person, ago(hours=3))
    panel = client.get("/passes/mine/panel/")
    assert panel["Cache-Control"] == "no-store"
    assert 'id="pass-refusal"' not in panel.content.decode()
    assert (
        "您没有保供通行证" in resident_client(city.person_b).get("/passes/mine/").content.decode()
    )
