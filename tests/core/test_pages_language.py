from django.urls import reverse

from tests.support import signed_in


def test_chinese_is_the_default(city, officer):
    html = signed_in(officer).get(reverse("people:person-list")).content.decode()
    assert 'lang="zh-hans"' in html and "居民" in html and "审计日志" in html


def test_switching_to_english_shows_english_labels(city, officer):
    client = signed_in(officer)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("people:person-list")}
    )
    assert response.status_code == 302
    html = client.get(reverse("people:person-list")).content.decode()
    assert 'lang="en"' in html
    for label in ("Residents", "Audit log", "Search", "Log out"):
        assert label in html, label
    assert "审计日志" not in html
