import pytest
from django.db import transaction

from . import world as world_module


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, built once per module in a transaction that is rolled back after it; each
    test runs in a savepoint inside it (the `db` fixture), so writes vanish between tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield world_module.build()
        transaction.set_rollback(True)


@pytest.fixture
def in_world(world, db, settings, tmp_path):
    settings.FANGYI_LEDGER_DIR = tmp_path / "ledgers"
    return world
