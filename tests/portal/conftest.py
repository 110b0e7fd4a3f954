import pytest


@pytest.fixture
def sms_file(settings, tmp_path):
    """Texts go to a JSON-lines file the test reads, as a demo's would."""
    path = tmp_path / "sms.jsonl"
    settings.FANGYI_SMS_BACKEND = "file"
    settings.FANGYI_SMS_FILE = str(path)
    return path
