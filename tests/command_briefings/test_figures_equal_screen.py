"""The briefing's figures are the screen's for the same region and day: in the PDF's text, in
the Word file's tables and in the API's detail."""

import pytest

from fangyi.command import services as command
from fangyi.command.briefings import services
from fangyi.command.briefings.content import number, signed
from tests.support import signed_in

from .support import counted_day, docx_rows, pdf_text


@pytest.mark.parametrize("where", ["city", "district"])
def test_the_briefing_prints_the_boards_figures(city, superuser, commander, where):
    day = counted_day(city, superuser)
    region = getattr(city, where)
    briefing = services.generate(actor=commander, region=region, day=day)
    board = command.board(user=commander, region=region, day=day).by_key()
    assert board["cases.new"].value == 2
    assert board["cases.community"].value == 2
    assert board["orders.to_place"].value == 1

    text = pdf_text(bytes(briefing.pdf))
    rows = {row[0]: row[1:] for row in docx_rows(bytes(briefing.docx))}
    for key, item in board.items():
        name, unit = str(item.figure.name), str(item.figure.unit)
        printed = [f"{number(item.value)} {unit}", number(item.previous), signed(item.change)]
        assert f"{name} {' '.join(printed)}" in text, key
        assert rows[name] == printed, key
        assert briefing.figures[key]["value"] == item.value


def test_the_text_and_sections_name_the_day(city, superuser, commander):
    day = counted_day(city, superuser)
    briefing = services.generate(actor=commander, region=city.city, day=day)
    text = pdf_text(bytes(briefing.pdf))
    assert "福州市疫情防控每日简报" in text
    said = f"{day.year}年{day.month}月{day.day}日，福州市新增病例2例（较前一日+2），"
    assert said in text.replace("\n", "")
    assert "第一网格封控区 封控区（高风险区） 09:00" in text
    assert "当日无问题清单。" in text


def test_the_api_detail_equals_the_figures_api(city, superuser, commander):
    day = counted_day(city, superuser)
    briefing = services.generate(actor=commander, region=city.district, day=day)
    client = signed_in(commander)
    screen = client.get(
        "/api/v1/command/figures", {"region": city.district.code, "date": day.isoformat()}
    ).json()
    detail = client.get(f"/api/v1/command/briefings/{briefing.pk}").json()
    assert {f["key"]: f["value"] for f in detail["figures"]} == {
        f["key"]: f["value"] for f in screen["figures"]
    }
    assert {f["key"]: f["change"] for f in detail["figures"]} == {
        f["key"]: f["change"] for f in screen["figures"]
    }
