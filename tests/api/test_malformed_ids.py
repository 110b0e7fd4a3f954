import pytest

from tests.support import send


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/persons/not-a-uuid",
        "/api/v1/persons/12345",
        "/api/v1/households/not-a-uuid",
        "/api/v1/regions/%E7%BD%91%E6%A0%BC",
    ],
)
def test_a_malformed_id_is_404_not_500(as_officer, city, url):
    response = as_officer.get(url)

    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


def test_changing_or_revealing_a_malformed_id_is_404(as_officer, city):
    assert send(as_officer, "patch", "/api/v1/persons/xyz", {"phone": ""}).status_code == 404
    assert (
        send(as_officer, "post", "/api/v1/persons/xyz/reveal", {"reason": "核对"}).status_code
        == 404
    )
    assert send(as_officer, "patch", "/api/v1/households/xyz", {"room": "1"}).status_code == 404
