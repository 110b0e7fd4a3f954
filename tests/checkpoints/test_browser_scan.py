"""The checkpoint page in real Chromium on a 360-px phone: a guard opens it online, then the
network is cut (the page even reloads from its service worker); a fresh code shows green
full-screen, an expired one shows expired, tampered ones show invalid, a card code says it needs
the network; the scans queue up and go to the server when the network is back."""

import time
import zlib

import base45
import cbor2
import pytest
from django.conf import settings

from fangyi.checkpoints.models import Scan
from fangyi.codes import format as fmt
from fangyi.codes import keys, services
from tests.browser import back_online, go_offline_and_reload, open_scan_page, scan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expired_code(person) -> str:
    now = int(time.time())
    key = keys.current_key()
    claims = fmt.person_claims(
        issuer=settings.FANGYI_CODE_ISSUER,
        subject=services.subject_for(person.pk),
        issued_at=now - 900,
        expires_at=now - 600,
        kind="display",
        masked_name="王*明",
        id_tail="0011",
        policy_version="test",
        colour="green",
    )
    return fmt.sign(claims, key.private_key).text


def forged_signature(text: str) -> str:
    message = cbor2.loads(zlib.decompress(base45.b45decode(text.removeprefix(fmt.PERSON_PREFIX))))
    protected, unprotected, payload, signature = message.value
    forged = bytes([signature[0] ^ 0x80]) + signature[1:]
    cose = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, payload, forged]))
    return fmt.PERSON_PREFIX + base45.b45encode(zlib.compress(cose, 9)).decode()


def test_a_guard_scans_with_the_network_cut_and_the_scans_upload_later(
    in_browser, live_server, city, guard_a, venue_a, worker_a
):
    url = live_server.url
    keys.current_key()  # the deployment's key exists before the guard's phone fetches it
    page = in_browser(open_scan_page, url, "guard_a")
    in_browser(lambda _browser: page.select_option("#venue", str(venue_a.pk)))

    reloaded = in_browser(go_offline_and_reload, page)
    assert reloaded["from_service_worker"]
    assert reloaded["status"].startswith("离线，密钥更新于")
    assert reloaded["venue"] == str(venue_a.pk), "the venue is remembered"

    issued = services.issue_display_code(person_id=city.person_a.pk)
    good = in_browser(scan, page, issued.text)
    assert good["result"] == "valid" and good["colour"] == issued.colour == "green"
    assert "绿码" in good["text"]
    assert issued.masked_name in good["text"] and issued.id_tail in good["text"]
    assert good["covers"] and good["fits"]
    assert good["queued"] == 1

    expired = in_browser(scan, page, expired_code(city.person_a))
    assert expired["result"] == "expired" and expired["colour"] == ""
    assert "已过期" in expired["text"] and expired["queued"] == 2

    forged = in_browser(scan, page, forged_signature(issued.text))
    assert forged["result"] == "bad_signature" and "无效" in forged["text"]

    garbled = in_browser(scan, page, issued.text[:40] + "::" + issued.text[42:])
    assert garbled["result"] == "malformed" and "无法识别" in garbled["text"]

    card = services.issue_card_code(user=worker_a, person=city.person_a)
    offline_card = in_browser(scan, page, card.text)
    assert offline_card["result"] == "valid" and offline_card["colour"] == ""
    assert "卡片码需联网查询" in offline_card["text"]
    assert offline_card["queued"] == 5
    assert not Scan.objects.exists()

    assert in_browser(back_online, page) == "online"
    scans = {scan.result: scan for scan in Scan.objects.all()}
    assert Scan.objects.count() == 5
    assert set(scans) == {"valid", "expired", "bad_signature", "malformed"}
    assert all(scan.staff == guard_a and scan.venue == venue_a for scan in scans.values())
    shown = Scan.objects.get(result="valid", kind="display")
    assert shown.colour == "green" and shown.person == city.person_a

    online_card = in_browser(scan, page, card.text)
    assert online_card["result"] == "valid" and online_card["colour"] == "green"
    assert "绿码" in online_card["text"]
