"""Two people delivering the same request at the same moment: one succeeds, the other is told
it was delivered already. PostgreSQL only: SQLite has one writer at a time anyway."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from fangyi.supplies import services
from fangyi.supplies.models import Request

from .support import package_request, vegetables

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections"),
    pytest.mark.django_db(transaction=True),
]


def test_a_request_delivered_twice_at_once_is_delivered_once(city, officer, worker_a, monkeypatch):
    item = vegetables(officer, city.community)
    made = package_request(worker_a, city.household_a, item)
    services.transition(actor=worker_a, request=made, to_state="accepted")
    services.transition(actor=worker_a, request=made, to_state="out_for_delivery")
    check = services._check_delivery

    def slow(*args, **kwargs):
        # Holding the row while the other delivery arrives.
        time.sleep(0.3)
        return check(*args, **kwargs)

    monkeypatch.setattr(services, "_check_delivery", slow)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def deliver(note: str):
        stale = Request.objects.get(pk=made.pk)
        try:
            start.wait()
            services.transition(
                actor=worker_a,
                request=stale,
                to_state="delivered",
                delivery=services.Delivery("note", note=note),
            )
            outcomes.append("delivered")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(n,)) for n in ("甲签收", "乙签收")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["delivered", "该需求已送达，不能重复送达。"]
    assert made.events.filter(to_state="delivered").count() == 1
