"""GET /api/v1/screening/pool-advice: the optimum, the best allowed size, and 422 for junk."""

import pytest

from tests.support import client_for

URL = "/api/v1/screening/pool-advice"


def test_advice_for_one_percent(city, worker_a):
    response = client_for(worker_a).get(URL, {"prevalence": "0.01"})
    assert response.status_code == 200
    body = response.json()
    assert body["optimal_pool_size"] == 11
    assert body["expected_tests_per_person"] == pytest.approx(0.1956, abs=5e-4)
    assert body["best_allowed_size"] == 10
    assert body["best_allowed_expected_tests_per_person"] == pytest.approx(0.1956, abs=2e-3)


def test_the_allowed_sizes_can_be_given(city, worker_a):
    body = client_for(worker_a).get(URL, {"prevalence": "0.01", "sizes": "1,5"}).json()
    assert body["best_allowed_size"] == 5


def test_high_prevalence_and_no_positives(city, worker_a):
    client = client_for(worker_a)
    high = client.get(URL, {"prevalence": "0.4"}).json()
    assert high["optimal_pool_size"] == 1 and high["best_allowed_size"] == 1
    assert high["expected_tests_per_person"] == 1
    none = client.get(URL, {"prevalence": "0"}).json()
    assert none["best_allowed_size"] == 20 and none["optimal_pool_size"] == 100


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"prevalence": "-0.1"},
        {"prevalence": "1.01"},
        {"prevalence": "nan"},
        {"prevalence": "inf"},
        {"prevalence": "abc"},
        {"prevalence": "0.1", "sizes": ""},
        {"prevalence": "0.1", "sizes": "0,5"},
        {"prevalence": "0.1", "sizes": "5,x"},
        {"prevalence": "0.1", "sizes": "1" * 300},
        {"prevalence": "0.1", "sizes": "99"},
        {"prevalence": "0.1", "sizes": "\x00"},
    ],
)
def test_junk_is_422(city, worker_a, params):
    response = client_for(worker_a).get(URL, params)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["message"]


def test_anonymous_callers_are_refused(client, city):
    assert client.get(URL, {"prevalence": "0.01"}).status_code == 401
