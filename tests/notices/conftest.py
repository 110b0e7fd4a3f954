import pytest
from django.test import override_settings

from tests.notices.support import RecordingSms, neighbourhood, reset_sms


@pytest.fixture
def recording_sms():
    reset_sms()
    with override_settings(FANGYI_SMS_BACKEND="tests.notices.support.RecordingSms"):
        yield RecordingSms
    reset_sms()


@pytest.fixture
def homes(city):
    return neighbourhood(city)
