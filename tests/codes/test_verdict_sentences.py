"""Every verdict a person reads is a sentence in their language, never the technical reason."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from fangyi.codes import format as fmt
from fangyi.codes import keys, services, verdicts
from tests.factories import staff
from tests.support import client_for, tampered

pytestmark = pytest.mark.django_db

FORMAT_SOURCE = Path(fmt.__file__).read_text()


def test_every_malformed_reason_is_known():
    reasons = set(re.findall(r'_malformed\("([^"]+)"\)', FORMAT_SOURCE))
    plain = {"not text", "longer than 1 KiB"}
    assert reasons - plain == set(verdicts.MALFORMED_REASONS)


@pytest.mark.parametrize("result", [r.value for r in fmt.Result])
def test_every_result_has_a_sentence_in_both_languages(result):
    with translation.override("zh-hans"):
        chinese = verdicts.sentence(result, "")
    with translation.override("en"):
        english = verdicts.sentence(result, "")
    assert re.search(r"[\u4e00-\u9fff]", chinese)
    assert english != chinese and not re.search(r"[\u4e00-\u9fff]", english)


def test_lookup_of_a_tampered_code_answers_a_sentence(city):
    keys.current_key()
    code = tampered(services.issue_display_code(person_id=city.person_a.pk).text)
    client = client_for(staff("checkpoint", city.community, username="guard"))
    found = client.post("/api/v1/codes/lookup", {"text": code}, content_type="application/json")
    assert found.status_code == 200, found.content
    assert found.json()["reason"] == "not zlib"
    assert found.json()["message"] == "此码内容已损坏或被篡改，无法读取。请对方重新出示。"
    english = client.post(
        "/api/v1/codes/lookup",
        {"text": code},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert english.json()["message"].startswith("This code is damaged")
