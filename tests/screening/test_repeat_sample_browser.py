"""On the phone: scanning someone sampled in this round already shows when and in which
tube, and adds them only when the sampler says yes to the browser's question."""

import pytest

from fangyi.codes import services as codes
from fangyi.screening.models import Sample
from tests.browser import session_cookie

from .lab_support import filled_tube

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_the_sampler_is_asked_before_a_second_swab(
    city, sampler, site, round_now, live_server, in_browser
):
    filled_tube(sampler, site, "R0001", [city.person_a])
    code = codes.issue_display_code(person_id=city.person_a.pk).text
    cookie = session_cookie(sampler, live_server)

    def sample(browser):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        context.set_default_timeout(10_000)
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{live_server.url}/screening/sampling/")
        page.get_by_label("混采人数").select_option("5")
        page.get_by_label("试管条码").fill("T0002")
        page.get_by_label("试管条码").press("Enter")
        notice = page.locator("#notice")
        notice.filter(has_text="已开管").wait_for()
        questions = []

        def answer(dialog, accept):
            questions.append(dialog.message)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()

        text = page.get_by_label("扫码或查找居民")
        page.once("dialog", lambda dialog: answer(dialog, False))
        text.fill(code)
        text.press("Enter")
        notice.filter(has_text="R0001").wait_for()
        seen = {"declined": page.locator("#tube-count").inner_text()}
        page.once("dialog", lambda dialog: answer(dialog, True))
        text.fill(code)
        text.press("Enter")
        page.locator("#tube-count").filter(has_text="1").wait_for()
        seen["questions"] = questions
        context.close()
        return seen

    seen = in_browser(sample)
    assert seen["declined"] == "0"
    assert len(seen["questions"]) == 2
    assert all(
        "R0001" in question and "仍要加入此管吗" in question for question in seen["questions"]
    )
    assert Sample.objects.filter(tube__barcode="T0002", person=city.person_a).count() == 1
