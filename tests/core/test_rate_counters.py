"""Where the shared cache is the database, rate limits count in rows of their own, one upsert
per event (finding 25): exact under concurrent requests, never a count of the cache table, and
purged once their window has ended."""

import threading

import pytest
from django.db import connection, connections

from fangyi.core import ratelimit
from fangyi.core.models import RateCounter
from fangyi.core.tasks import purge_rate_counters_task


@pytest.fixture(autouse=True)
def small_limit(settings, monkeypatch):
    settings.FANGYI_RATE_LIMITS = {**settings.FANGYI_RATE_LIMITS, "public-address": (5, 60)}
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_000_000_010.0)


def test_each_event_adds_one_to_its_windows_row_and_the_limit_holds(db):
    for _ in range(5):
        ratelimit.hit("public-address", "203.0.113.30")
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.hit("public-address", "203.0.113.30")
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.check("public-address", "203.0.113.30")
    ratelimit.check("public-address", "203.0.113.31")

    (counter,) = RateCounter.objects.all()
    assert counter.count == 6 and counter.ends == 1_000_000_020.0


def test_an_event_does_not_read_the_cache_table(db, django_assert_max_num_queries):
    with connection.execute_wrapper(_refuse_cache_table):
        ratelimit.hit("public-address", "203.0.113.32")
    with django_assert_max_num_queries(1):
        ratelimit.hit("public-address", "203.0.113.32")


def _refuse_cache_table(execute, sql, params, many, context):
    assert "fangyi_cache" not in sql, sql
    return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_concurrent_events_are_each_counted():
    def events():
        try:
            for _ in range(10):
                ratelimit._count(ratelimit._window("public-address", "203.0.113.33")[1])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=events) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert RateCounter.objects.get().count == 40


def test_ended_windows_are_purged_and_running_ones_kept(db, monkeypatch):
    ratelimit.hit("public-address", "203.0.113.34")
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_000_000_070.0)
    ratelimit.hit("public-address", "203.0.113.34")

    assert purge_rate_counters_task.call() == 1
    assert list(RateCounter.objects.values_list("ends", flat=True)) == [1_000_000_080.0]
