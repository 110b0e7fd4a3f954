from django.test import Client
from django.urls import reverse

from ..factories import UserFactory


def test_login_page_renders_form(db):
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_login_lands_on_home(city, officer):
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "officer", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200


def test_pages_need_login(city):
    response = Client().get(reverse("people:person-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_five_failures_lock_the_account(db):
    UserFactory(username="someone")
    client = Client()
    for _attempt in range(5):
        client.post(reverse("accounts:login"), {"username": "someone", "password": "wrong"})
    response = client.post(
        reverse("accounts:login"), {"username": "someone", "password": "correct horse battery"}
    )
    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]


def test_logout_is_a_post(city, officer):
    client = Client()
    client.force_login(officer)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 302
