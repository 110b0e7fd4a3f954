"""The sweep sheet's offline copy on a grid worker's phone, in Chromium at 360 px: while the
sweep runs, the sheet reopened with the network cut comes from the service worker with the
households stored on the phone; once the officer ends the sweep, the page clears what the phone
stored for it (the households and the visits still queued) and says so, whether the page is
reopened or was left open offline, with a visit waiting to upload or with none (then it asks
for the sheet when the network returns, and says it is online again while the sweep runs).

The officer ends the sweep through the service; everything the worker does is on the page."""

import pytest

from fangyi.sweeps import services
from fangyi.sweeps.models import Visit
from tests.browser import session_cookie, wait_until
from tests.factories import HouseholdFactory, PersonFactory
from tests.sweeps.support import sheet_on_phone, start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What sheet.html says once the sweep has ended (data-msg-ended).
ENDED = "本次排查已结束，手机上保存的数据已清除。"
# What it says with nothing stored for the sweep and no network (data-msg-no-sheet).
NO_SHEET = "手机上没有本次排查的数据，请联网后打开。"
# What it says when the sheet came from the server (data-msg-online).
ONLINE = "在线"
# What it says with the network cut (data-msg-offline).
OFFLINE = "离线：记录保存在手机上，联网后自动上传"
# sweeps/views.py's PAGE_CACHE: the cache the sheet puts itself into for the service worker.
PAGE_CACHE = "fangyi-sweep-sheet-v1"

# What the phone's IndexedDB ("fangyi-sweeps") holds for a sweep: its sheet, its queued visits.
STORED = """async (sweepId) => {
    const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open("fangyi-sweeps", 1);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    });
    const read = (store, work) => new Promise((resolve, reject) => {
        const request = work(db.transaction(store, "readonly").objectStore(store));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    });
    const sheet = await read("sheets", (store) => store.get(sweepId));
    const visits = await read("visits", (store) => store.index("sweep").getAll(sweepId));
    db.close();
    return {households: sheet ? sheet.households.length : null, visits: visits.length};
}"""


def shown(page) -> dict:
    return {
        "status": page.locator("#network-status").inner_text(),
        "stored": page.locator("#stored-households").inner_text(),
        "queued": page.locator("#queue-count").inner_text(),
        "listed": page.locator("#households li").count(),
    }


def open_sheet(browser, url, cookie, sweep_id):
    """The worker opens the sheet with the network there, and waits until the service worker
    controls the page and has the page in its cache."""
    page = sheet_on_phone(browser, url, cookie, sweep_id)
    wait_until(
        page,
        f"""async () => {{
            await navigator.serviceWorker.ready;
            if (!navigator.serviceWorker.controller) return false;
            const cache = await caches.open("{PAGE_CACHE}");
            return Boolean(await cache.match(location.pathname));
        }}""",
        timeout=30,
    )
    return page, {**shown(page), "db": page.evaluate(STORED, str(sweep_id))}


def reopen_offline(_browser, page, sweep_id, household) -> dict:
    """The network is cut and the sheet reopened: it comes from the service worker, lists the
    stored households, and takes a door not answered into its queue."""
    page.context.set_offline(True)
    response = page.reload()
    page.wait_for_selector("#sheet-app[data-ready='1']")
    page.wait_for_selector("#households li")
    reopened = {**shown(page), "from_service_worker": response.from_service_worker}
    page.click(f"#households li[data-household='{household.pk}']")
    page.click("#not-answered")
    page.wait_for_selector("#visit-form", state="hidden")
    return {**reopened, "after_visit": shown(page), "db": page.evaluate(STORED, str(sweep_id))}


def reopen_online(_browser, page, sweep_id) -> dict:
    """The network returns and the sheet is reopened."""
    page.context.set_offline(False)
    page.reload()
    page.wait_for_selector("#sheet-app[data-ready='1']")
    return {**shown(page), "db": page.evaluate(STORED, str(sweep_id))}


def back_online(_browser, page, sweep_id) -> dict:
    """The network returns under the page left open: the page uploads its queue by itself."""
    page.context.set_offline(False)
    wait_until(
        page,
        f"() => document.getElementById('network-status').textContent !== '{OFFLINE}'",
        timeout=30,
    )
    left = {**shown(page), "note": page.locator("#upload-note").inner_text()}
    left["db"] = page.evaluate(STORED, str(sweep_id))
    page.context.close()
    return left


def cut(_browser, page) -> dict:
    """The network is cut under the page left open, nothing queued."""
    page.context.set_offline(True)
    wait_until(page, f"() => document.getElementById('network-status').textContent === '{OFFLINE}'")
    return shown(page)


def restored(_browser, page, sweep_id, close: bool) -> dict:
    """The network returns under the page left open with nothing queued."""
    page.context.set_offline(False)
    wait_until(
        page,
        f"() => document.getElementById('network-status').textContent !== '{OFFLINE}'",
        timeout=30,
    )
    now = {**shown(page), "db": page.evaluate(STORED, str(sweep_id))}
    if close:
        page.context.close()
    return now


def reopen_offline_after_the_end(_browser, page, sweep_id) -> dict:
    """The network is cut again and the sheet reopened: the page still comes from the service
    worker, and nothing of the sweep came back."""
    page.context.set_offline(True)
    response = page.reload()
    page.wait_for_selector("#sheet-app[data-ready='1']")
    shown_now = {
        **shown(page),
        "from_service_worker": response.from_service_worker,
        "db": page.evaluate(STORED, str(sweep_id)),
    }
    page.context.close()
    return shown_now


@pytest.fixture
def sweep(city, officer, leader_a, worker_a):
    """A sweep of grid A: its three households in building A, the building the worker's."""
    for room in ("102", "103"):
        PersonFactory(household=HouseholdFactory(building=city.building_a, room=room))
    started = start(officer, city.grid_a)
    services.assign_building(
        actor=leader_a, sweep=started, building=city.building_a, assignee=worker_a
    )
    return started


def test_the_sheet_reopens_offline_while_the_sweep_runs_and_clears_once_it_ended(
    in_browser, live_server, city, officer, worker_a, sweep
):
    cookie = session_cookie(worker_a, live_server)
    page, opened = in_browser(open_sheet, live_server.url, cookie, sweep.pk)
    assert opened["stored"] == "3" and opened["listed"] == 3
    assert opened["db"] == {"households": 3, "visits": 0}

    offline = in_browser(reopen_offline, page, sweep.pk, city.household_a)
    assert offline["from_service_worker"]
    assert offline["status"] == OFFLINE
    assert offline["stored"] == "3" and offline["listed"] == 3
    assert offline["after_visit"]["queued"] == "1"
    assert offline["db"] == {"households": 3, "visits": 1}

    services.end_sweep(actor=officer, sweep=sweep)

    ended = in_browser(reopen_online, page, sweep.pk)
    assert ended["status"] == ENDED
    assert (ended["stored"], ended["queued"], ended["listed"]) == ("0", "0", 0)
    assert ended["db"] == {"households": None, "visits": 0}
    # The visit queued offline was never taken: the sweep had ended.
    assert not Visit.objects.filter(sweep=sweep).exists()

    again = in_browser(reopen_offline_after_the_end, page, sweep.pk)
    assert again["from_service_worker"]
    assert again["status"] == NO_SHEET
    assert (again["stored"], again["queued"], again["listed"]) == ("0", "0", 0)
    assert again["db"] == {"households": None, "visits": 0}


def test_a_sheet_left_open_offline_clears_when_its_upload_finds_the_sweep_ended(
    in_browser, live_server, city, officer, worker_a, sweep
):
    cookie = session_cookie(worker_a, live_server)
    page, _opened = in_browser(open_sheet, live_server.url, cookie, sweep.pk)
    offline = in_browser(reopen_offline, page, sweep.pk, city.household_a)
    assert offline["db"] == {"households": 3, "visits": 1}

    services.end_sweep(actor=officer, sweep=sweep)

    ended = in_browser(back_online, page, sweep.pk)
    assert ended["status"] == ENDED
    assert (ended["stored"], ended["queued"], ended["listed"]) == ("0", "0", 0)
    assert ended["db"] == {"households": None, "visits": 0}
    assert not Visit.objects.filter(sweep=sweep).exists()


def test_a_sheet_left_open_with_nothing_queued_is_online_again_then_clears_once_it_ended(
    in_browser, live_server, officer, worker_a, sweep
):
    cookie = session_cookie(worker_a, live_server)
    page, _opened = in_browser(open_sheet, live_server.url, cookie, sweep.pk)
    assert in_browser(cut, page)["status"] == OFFLINE

    running = in_browser(restored, page, sweep.pk, False)
    assert running["status"] == ONLINE
    assert (running["stored"], running["listed"]) == ("3", 3)
    assert running["db"] == {"households": 3, "visits": 0}

    in_browser(cut, page)
    services.end_sweep(actor=officer, sweep=sweep)
    ended = in_browser(restored, page, sweep.pk, True)
    assert ended["status"] == ENDED
    assert (ended["stored"], ended["queued"], ended["listed"]) == ("0", "0", 0)
    assert ended["db"] == {"households": None, "visits": 0}
