"""The checkpoint's scanning page gives its script what it needs, to checkpoint staff only."""

import pytest
from django.urls import reverse

from fangyi.checkpoints import services
from tests.support import signed_in


def test_checkpoint_staff_get_the_urls_and_their_venues(city, guard_a, leader_a, venue_a, venue_b):
    stopped = services.create_venue(actor=leader_a, name="旧门岗", kind="other", region=city.grid_a)
    services.deactivate_venue(actor=leader_a, venue=stopped)
    response = signed_in(guard_a).get(reverse("checkpoints:scan"))
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "checkpoints/scan.html"
    context = response.context
    assert context["keys_url"] == "/api/v1/codes/keys"
    assert context["revoked_url"] == "/api/v1/codes/revoked"
    assert context["upload_url"] == "/api/v1/checkpoints/scans"
    assert context["lookup_url"] == "/api/v1/codes/lookup"
    # Core's one service worker, served from the checkpoint pages with the page's cache named.
    assert context["service_worker_url"] == "/checkpoints/sw.js?cache=fangyi-scan-v1"
    assert context["page_cache"] == "fangyi-scan-v1"
    # The venue's region path lets the page check a courier's pass against its areas.
    assert context["venues"] == [
        {"id": str(venue_a.pk), "name": "三坊超市", "path": city.grid_a.path}
    ]


@pytest.mark.parametrize("role", ["grid_worker", "officer"])
def test_other_staff_are_refused(city, role):
    from tests.factories import staff

    user = staff(role, city.grid_a, username=f"u_{role}")
    assert signed_in(user).get(reverse("checkpoints:scan")).status_code == 403


def test_a_visitor_is_sent_to_log_in(city, client):
    response = client.get(reverse("checkpoints:scan"))
    assert response.status_code == 302 and "login" in response.url
