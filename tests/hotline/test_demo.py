"""`fangyi seed --demo-staff` gives the hotline units, rules and a week of tickets in every
state, once: every page has something to show."""

import io
import json

import pytest
from django.core.management import call_command

from fangyi.hotline.models import Escalation, Ticket
from tests.support import signed_in


def seed() -> dict:
    out = io.StringIO()
    call_command("seed", "--residents", "600", "--seed", "5", "--demo-staff", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_the_demo_has_a_week_of_tickets_in_every_state_and_pages_to_show_them():
    from fangyi.accounts.models import User

    summary = seed()["hotline"]
    assert all(count >= 1 for count in summary["tickets"].values()), summary["tickets"]
    assert summary["units"] >= 3 and summary["rules"] == 3
    assert summary["overdue"] >= 1 and summary["callbacks_pending"] >= 1
    assert Ticket.objects.filter(escalation=Escalation.OVERDUE).exists()
    assert Ticket.objects.filter(reopen_count=1).exists()
    assert seed()["hotline"] == summary
    pages = {
        "grid_worker": ["/hotline/"],
        "commander": ["/hotline/overdue/"],
        "operator": ["/hotline/callbacks/", "/hotline/intake/"],
    }
    for username, urls in pages.items():
        browser = signed_in(User.objects.get(username=username))
        for url in urls:
            html = browser.get(url).content.decode()
            assert "12345-" in html or url.endswith("intake/"), (username, url)
