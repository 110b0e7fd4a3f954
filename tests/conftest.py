import os
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from fangyi.regions.models import Level
from fangyi.regions.services import refresh_counts

from .factories import HouseholdFactory, PersonFactory, UserFactory, region, staff
from .support import CHROMIUM_ARGS, client_for

# Playwright's sync API runs an event loop in the thread that started it; the ORM calls tests
# make beside it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def in_browser():
    """Runs functions against one Chromium (Debian's) in a thread of its own.

    Playwright's sync API cannot start in a thread where another instance is running, and
    the `browser` fixture keeps one for the whole session; a thread of our own has no event loop. Every
    Playwright call of a test happens in that thread (`in_browser(function, *args)` calls
    `function(browser, *args)` there), every ORM call in the test's.
    """
    from playwright.sync_api import sync_playwright

    pool = ThreadPoolExecutor(max_workers=1)
    held = {}

    def start():
        held["playwright"] = sync_playwright().start()
        held["browser"] = held["playwright"].chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )

    def stop():
        if "browser" in held:
            held["browser"].close()
        if "playwright" in held:
            held["playwright"].stop()

    try:
        pool.submit(start).result()
        yield lambda function, *args: pool.submit(function, held["browser"], *args).result()
    finally:
        pool.submit(stop).result()
        pool.shutdown()


@pytest.fixture(scope="session", autouse=True)
def redis_of_this_worker():
    """On the RQ backend, each xdist worker queues in a Redis database of its own (15 for the
    first, 14 for the second, ...), so that parallel tests never run each other's jobs. Worker
    processes that tests start inherit it through FANGYI_REDIS_URL."""
    from django.conf import settings
    from django.test import override_settings

    from fangyi.core.tasking import uses_rq

    if not uses_rq():
        yield None
        return
    import redis

    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    if index > 7:
        pytest.exit("The task tests on RQ use Redis databases 15 down to 8: 8 workers at most.")
    server = redis.Redis.from_url(settings.FANGYI_REDIS_URL).connection_pool.connection_kwargs
    url = f"redis://{server.get('host', '127.0.0.1')}:{server.get('port', 6379)}/{15 - index}"
    connection = redis.Redis.from_url(url)
    assert connection.connection_pool.connection_kwargs["db"] == 15 - index
    os.environ["FANGYI_REDIS_URL"] = url
    queues = {name: {"URL": url} for name in settings.RQ_QUEUES}
    with override_settings(FANGYI_REDIS_URL=url, RQ_QUEUES=queues):
        yield connection


@pytest.fixture(autouse=True)
def empty_task_queue(redis_of_this_worker):
    """Each test starts and leaves this worker's Redis database without jobs: only RQ's own
    keys there are deleted, never anything else of the shared Redis."""

    def empty():
        if redis_of_this_worker is not None:
            keys = list(redis_of_this_worker.scan_iter("rq:*", count=1000))
            if keys:
                redis_of_this_worker.delete(*keys)

    empty()
    yield
    empty()


@pytest.fixture(autouse=True)
def default_language():
    # A page requested in English leaves English active in the thread (LocaleMiddleware does
    # not switch back); the next test in the same worker would get English messages.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Staff fixtures set passwords; Argon2's deliberate slowness would dominate the suite.
    # tests/accounts checks that production hashing is Argon2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def signing_key_dir(settings, tmp_path_factory):
    # One key directory per test process, outside the checkout: tests sign real codes.
    settings.FANGYI_SIGNING_KEY_DIR = tmp_path_factory.getbasetemp() / "signing-keys"
    return settings.FANGYI_SIGNING_KEY_DIR


@pytest.fixture
def city(db):
    """A small synthetic city: two grids in one community, one building each, one resident each."""
    province = region("350000", "福建省", Level.PROVINCE)
    fuzhou = region("350100", "福州市", Level.CITY, province)
    gulou = region("350102", "鼓楼区", Level.DISTRICT, fuzhou)
    street = region("350102001", "东街街道", Level.STREET, gulou)
    community = region("350102001001", "三坊社区", Level.COMMUNITY, street)
    grid_a = region("350102001001001", "第一网格", Level.GRID, community)
    grid_b = region("350102001001002", "第二网格", Level.GRID, community)
    building_a = region("350102001001001001", "1号楼", Level.BUILDING, grid_a)
    building_b = region("350102001001002001", "2号楼", Level.BUILDING, grid_b)
    household_a = HouseholdFactory(building=building_a, room="101")
    household_b = HouseholdFactory(building=building_b, room="202")
    person_a = PersonFactory(household=household_a, name="王小明", phone="13800000001")
    person_b = PersonFactory(household=household_b, name="李秀英", phone="13900000002", gender="F")
    refresh_counts()
    for r in (province, fuzhou, gulou, street, community, grid_a, grid_b, building_a, building_b):
        r.refresh_from_db()
    return SimpleNamespace(
        province=province,
        city=fuzhou,
        district=gulou,
        street=street,
        community=community,
        grid_a=grid_a,
        grid_b=grid_b,
        building_a=building_a,
        building_b=building_b,
        household_a=household_a,
        household_b=household_b,
        person_a=person_a,
        person_b=person_b,
    )


@pytest.fixture
def worker_a(city):
    return staff("grid_worker", city.grid_a, username="worker_a")


@pytest.fixture
def worker_b(city):
    return staff("grid_worker", city.grid_b, username="worker_b")


@pytest.fixture
def leader_a(city):
    return staff("grid_leader", city.grid_a, username="leader_a")


@pytest.fixture
def leader_b(city):
    return staff("grid_leader", city.grid_b, username="leader_b")


@pytest.fixture
def officer(city):
    return staff("officer", city.street, username="officer")


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


@pytest.fixture
def as_worker_a(worker_a):
    return client_for(worker_a)


@pytest.fixture
def as_officer(officer):
    return client_for(officer)


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


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite test databases in files rather than in memory, so that a task worker started as
    a process of its own (tests/support_workers.py) opens the database the test writes."""
    from django.conf import settings

    for alias, db_settings in settings.DATABASES.items():
        test = db_settings.setdefault("TEST", {})
        if db_settings["ENGINE"] == "django.db.backends.sqlite3" and not test.get("NAME"):
            test["NAME"] = str(tmp_path_factory.getbasetemp() / f"test-{alias}.sqlite3")
