"""The enterprise's gate: its account opens the checkpoint scanning page and uploads the
scans it made there, filed under its enterprise's region; it sees no one's scans."""

import uuid

from django.utils import timezone

from fangyi.checkpoints.models import Scan
from tests.enterprises.support import enterprise_with_account
from tests.support import client_for, signed_in


def test_the_account_scans_at_its_gate(city, officer):
    enterprise, account = enterprise_with_account(officer, city.grid_a)

    page = signed_in(account).get("/checkpoints/scan/")
    assert page.status_code == 200
    client = client_for(account)
    response = client.post(
        "/api/v1/checkpoints/scans",
        {
            "scans": [
                {
                    "client_id": str(uuid.uuid4()),
                    "scanned_at": timezone.now().isoformat(),
                    "result": "valid",
                    "kind": "display",
                    "colour": "green",
                }
            ]
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    scan = Scan.objects.get()
    assert (scan.staff, scan.region_path, scan.venue) == (account, enterprise.region_path, None)
    assert client.get("/api/v1/checkpoints/scans").json()["items"] == []
