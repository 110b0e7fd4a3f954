"""A messy ledger through the pages in real chromium: upload, preview, commit, fix the rows the
error workbook returned, import them, and find everyone again."""

from concurrent.futures import ThreadPoolExecutor

import openpyxl
import pytest

from fangyi.core.masking import mask_name
from fangyi.people.models import Person
from tests.ledgers.support import synthetic_id
from tests.support import CHROMIUM_ARGS

from ..factories import staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("ledger_dir"),
]

PASSWORD = "correct horse battery"


@pytest.fixture
def in_browser():
    """Runs a function with a signed-out desktop page (1280 px) in a thread of its own.

    Playwright's sync API cannot start in a thread where another instance is running, and
    the `browser` fixture keeps one for the whole session; a thread of our own has no event loop. Every
    Playwright call of this test happens in that thread, every ORM call in the test's.
    """
    from playwright.sync_api import sync_playwright

    pool = ThreadPoolExecutor(max_workers=1)
    held = {}

    def start():
        held["playwright"] = sync_playwright().start()
        held["browser"] = held["playwright"].chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = held["browser"].new_context(
            viewport={"width": 1280, "height": 900}, locale="zh-CN"
        )
        context.set_default_timeout(10_000)
        held["page"] = context.new_page()

    def stop():
        if "browser" in held:
            held["browser"].close()
        if "playwright" in held:
            held["playwright"].stop()

    try:
        pool.submit(start).result()
        yield lambda function, *args: pool.submit(function, held["page"], *args).result()
    finally:
        pool.submit(stop).result()
        pool.shutdown()


def wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def messy_workbook(path, city):
    """What a community office really sends: a merged title above the header, header
    synonyms with stray spaces and a full-width letter, full-width digits, a wrong check digit,
    the same ID twice."""
    a, b = city.building_a.code, city.building_b.code
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["东街街道三坊社区居民花名册（2026 年 11 月）"])
    sheet.merge_cells("A1:F1")
    sheet.append(["姓名", " 身份证号码 ", "联系 电话", "楼栋编码 ", "单元", "ｒｏｏｍ"])
    sheet.append(["周一", synthetic_id(101), "１３７００００１０１１", a, "1", "３０１"])
    sheet.append(["周二", synthetic_id(102, male=False), "", a, "1", "301"])
    sheet.append(["吴三", wrong_check_digit(synthetic_id(103)), "13700001013", b, "", "402"])
    sheet.append(["郑四", synthetic_id(101), "", b, "", "403"])
    sheet.append(["王五", synthetic_id(105), "13700001015", b, "", "401"])
    sheet.append(["冯六", synthetic_id(106)[:17] + "ｘ", "", b, "", "401"])
    book.save(path)
    return path


def sign_in(page, url, username: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def upload(page, url, path) -> None:
    page.goto(f"{url}/ledgers/residents/import/")
    page.set_input_files("input[name=file]", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/ledgers/imports/*/")
    page.locator("#import-job[data-status=done]").wait_for()


def assert_fits_phone(page) -> None:
    """The page, opened by the same user on a 360-px phone, has no horizontal scroll."""
    context = page.context.browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN"
    )
    context.add_cookies(page.context.cookies())
    phone = context.new_page()
    phone.goto(page.url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def count(page, name: str) -> int:
    return int(page.locator(f"#import-counts [data-count={name}]").inner_text())


def commit(page) -> str:
    preview_url = page.url
    page.click("#commit-form button[type=submit]")
    page.wait_for_url(lambda url: url != preview_url and "/ledgers/imports/" in url)
    page.locator("#import-job[data-status=done]").wait_for()
    return page.url


RESIDENTS = {
    "周一": synthetic_id(101),
    "周二": synthetic_id(102, male=False),
    "吴三": synthetic_id(103),
    "郑四": synthetic_id(104),  # the duplicate gets a number of its own
    "王五": synthetic_id(105),
    "冯六": synthetic_id(106),
}


def upload_and_preview(page, url, messy) -> None:
    sign_in(page, url, "officer")
    page.click("nav.navbar >> text=台账")
    page.wait_for_url("**/ledgers/")
    upload(page, url, messy)
    assert (count(page, "created"), count(page, "errors"), count(page, "households")) == (4, 2, 2)
    assert "表头在第 2 行" in page.locator("#import-job").inner_text()
    errors = page.locator("#import-errors tbody tr").all_inner_texts()
    by_row = {line.split("\t")[0]: line for line in errors}
    assert set(by_row) == {"5", "6"}  # rows as Excel numbers them, under the merged title
    assert "身份证号码" in by_row["5"] and "第 3 行" in by_row["6"]
    button = page.locator("#commit-form button[type=submit]")
    assert button.inner_text().strip() == "导入 4 行有效数据（2 行错误将退回）"
    page.check("#id_all_or_nothing")
    assert button.inner_text().strip() == "确认导入（有 2 行错误，整个文件将不导入）"
    page.uncheck("#id_all_or_nothing")
    assert_fits_phone(page)


def commit_fix_and_reimport(page, url, returned) -> None:
    commit(page)
    assert "已导入 4 行" in page.locator("#job-message").inner_text()
    assert count(page, "created") == 4 and count(page, "errors") == 2
    with page.expect_download() as info:
        page.click("#error-file")
    info.value.save_as(returned)
    assert info.value.suggested_filename == "花名册-错误.xlsx"

    book = openpyxl.load_workbook(returned)
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    assert headers[-1] == "错误说明"
    id_column = next(i for i, h in enumerate(headers) if "身份证号码" in h) + 1
    fixed = set()
    for row in range(2, sheet.max_row + 1):
        name = sheet.cell(row, 1).value
        sheet.cell(row, id_column).value = RESIDENTS[name]
        fixed.add(name)
    assert fixed == {"吴三", "郑四"}
    book.save(returned)

    upload(page, url, returned)
    assert (count(page, "created"), count(page, "errors"), count(page, "households")) == (2, 0, 2)
    assert "错误说明" in page.locator("#unknown-columns").inner_text()
    button = page.locator("#commit-form button[type=submit]")
    assert button.inner_text().strip() == "确认导入 2 行"
    commit(page)
    assert count(page, "created") == 2


def search_everyone(page, url) -> None:
    for name, number in RESIDENTS.items():
        page.goto(f"{url}/people/?q={number[-4:]}")
        rows = page.locator("a.person-row")
        rows.first.wait_for()
        assert any(mask_name(name) in text for text in rows.all_inner_texts()), name


def test_a_messy_ledger_is_imported_fixed_and_found(in_browser, live_server, city, tmp_path):
    staff("officer", city.street, username="officer")
    url = live_server.url

    in_browser(upload_and_preview, url, messy_workbook(tmp_path / "花名册.xlsx", city))
    assert not Person.objects.filter(name="周一").exists()

    in_browser(commit_fix_and_reimport, url, tmp_path / "returned.xlsx")
    for name, number in RESIDENTS.items():
        person = Person.objects.get(id_number=number)
        assert person.name == name and person.region_path.startswith(city.street.path)
    zhou = Person.objects.get(name="周一")
    assert zhou.phone == "13700001011" and zhou.household.room == "301"
    assert Person.objects.get(name="周二").household == zhou.household

    in_browser(search_everyone, url)
