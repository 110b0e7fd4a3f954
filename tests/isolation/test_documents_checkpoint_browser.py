"""A printed release certificate and isolation notice at the checkpoint page, in Chromium on a
360-px phone with the network cut: the page says what the paper certifies, refuses a forged or
revoked one, and the scans reach the server, linked to the person, once the network is back."""

import zlib

import base45
import cbor2
import pytest

from fangyi.checkpoints.models import Scan
from fangyi.codes import format as fmt
from fangyi.codes import services as codes
from fangyi.isolation.documents import services
from fangyi.isolation.models import OrderState
from tests.browser import back_online, go_offline_and_reload, open_scan_page, scan
from tests.factories import PersonFactory, staff

from . import documents_support as support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def forged_end(text: str) -> str:
    """The certificate with a later last day, under its original signature."""
    message = cbor2.loads(zlib.decompress(base45.b45decode(text.removeprefix(fmt.PERSON_PREFIX))))
    protected, unprotected, payload, signature = message.value
    claims = cbor2.loads(payload)
    claims[fmt.PRIVATE] = {**claims[fmt.PRIVATE], fmt.END: "2099-12-31"}
    cose = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature]))
    return fmt.PERSON_PREFIX + base45.b45encode(zlib.compress(cose, 9)).decode()


def test_a_guard_checks_isolation_documents_offline(in_browser, live_server, city, officer):
    hotel = support.site(city.street)
    guard = staff("checkpoint", city.grid_a, username="guard_a")
    released = support.order(city.person_a, state=OrderState.RELEASED)
    placed = support.order(city.person_b, site=hotel)
    (release_code,) = services.print_release(actor=officer, order=released).codes
    (notice_code,) = services.print_notice(actor=officer, order=placed).codes
    # Revoked before the guard's phone fetches the list.
    other = support.order(
        PersonFactory(household=city.household_a, name="赵子龙"),
        state=OrderState.RELEASED,
    )
    (revoked_code,) = services.print_release(actor=officer, order=other).codes
    codes.revoke_codes(user=officer, person=other.person, reason="证明遗失")

    page = in_browser(open_scan_page, live_server.url, guard.username)
    assert in_browser(go_offline_and_reload, page)["from_service_worker"]

    good = in_browser(scan, page, release_code)
    assert good["result"] == "valid"
    assert "解除隔离证明 有效" in good["text"]
    assert "王*明" in good["text"] and city.person_a.id_number[-4:] in good["text"]
    assert "集中隔离" in good["text"] and "鼓楼区 东街街道" in good["text"]
    assert good["covers"] and good["fits"]

    notice = in_browser(scan, page, notice_code)
    assert notice["result"] == "valid"
    assert "隔离告知书 有效" in notice["text"]
    assert "正在集中隔离" in notice["text"] and "东街隔离酒店" in notice["text"]

    forged = in_browser(scan, page, forged_end(release_code))
    assert forged["result"] == "bad_signature" and "有效" not in forged["text"].replace("无效", "")

    revoked = in_browser(scan, page, revoked_code)
    assert revoked["result"] == "revoked" and "已撤销" in revoked["text"]

    assert in_browser(back_online, page) == "online"
    kinds = {(scan.kind, scan.result): scan for scan in Scan.objects.all()}
    assert set(kinds) == {
        ("release", "valid"),
        ("notice", "valid"),
        ("release", "bad_signature"),
        ("release", "revoked"),
    }
    assert kinds[("release", "valid")].person == city.person_a
    assert kinds[("notice", "valid")].person == city.person_b
