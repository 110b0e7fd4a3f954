import pytest


@pytest.fixture
def ledger_dir(settings, tmp_path):
    settings.FANGYI_LEDGER_DIR = tmp_path / "ledgers"
    return settings.FANGYI_LEDGER_DIR
