"""The trend charts, drawn for the PDF as SVG and for Word as PNG from one layout."""

import datetime
import io
from xml.etree import ElementTree

from PIL import Image

from fangyi.command.briefings import charts
from fangyi.command.briefings.content import Chart

DAYS = [datetime.date(2026, 3, 1) + datetime.timedelta(days=n) for n in range(14)]
CHART = Chart(
    title="新增病例",
    days=DAYS,
    series=[
        ("管控内发现", [1, 2, 3, None, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
        ("社会面发现", [0] * 14),
    ],
)


def test_the_axis_covers_the_highest_value_in_round_steps():
    assert charts.layout(CHART).top == 25
    assert charts.layout(Chart(title="", days=DAYS, series=[("", [None] * 14)])).top == 5
    assert charts.layout(Chart(title="", days=DAYS, series=[("", [3100])])).top == 5000


def test_the_svg_breaks_the_line_where_a_day_was_not_taken():
    root = ElementTree.fromstring(charts.svg(CHART))
    lines = root.findall("{http://www.w3.org/2000/svg}polyline")
    assert [len(line.get("points").split()) for line in lines] == [3, 10, 14]


def test_the_png_is_an_image_of_the_chart():
    image = Image.open(io.BytesIO(charts.png(CHART)))
    assert image.size == (charts.WIDTH * 2, charts.HEIGHT * 2)
    # The first series' colour is drawn.
    assert (192, 57, 43) in {colour for _count, colour in image.getcolors(1_000_000)}
