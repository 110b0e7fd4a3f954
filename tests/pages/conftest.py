import pytest
from django.test import Client

from ..conftest import CHROMIUM_ARGS
from ..factories import UserFactory, staff


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def volunteer_a(city):
    return staff("volunteer", city.grid_a, username="volunteer_a")


@pytest.fixture
def commander(city):
    return staff("commander", city.city, username="commander")


@pytest.fixture
def nobody(db):
    return UserFactory(username="nobody")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
