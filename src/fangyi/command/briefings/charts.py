"""The briefing's trend charts drawn in Python: SVG for the PDF (WeasyPrint draws it) and PNG
for Word (which shows no SVG), both from the same layout so they agree. Pillow draws the PNG:
it is already installed (QR codes), where cairosvg would need Cairo's SVG stack and matplotlib
would add tens of megabytes for a few lines."""

import io
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from .content import Chart

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 36, 40
COLOURS = ("#c0392b", "#2471a3", "#d68910", "#7d3c98", "#229954")
FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


@dataclass(frozen=True)
class Layout:
    top: int
    points: list[list[tuple[float, float] | None]]
    ticks: list[tuple[float, str]]
    labels: list[tuple[float, str]]


def _top(chart: Chart) -> int:
    """The axis's top: five steps of 1, 2 or 5 times a power of ten, covering the highest."""
    values = [value for _name, trend in chart.series for value in trend if value is not None]
    highest = max(values, default=0)
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            if step * 5 >= highest:
                return step * 5
        power *= 10


def layout(chart: Chart) -> Layout:
    top = _top(chart)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(chart.days) - 1, 1)

    def x(index: int) -> float:
        return LEFT + inner_w * index / count

    def y(value: float) -> float:
        return TOP + inner_h * (1 - value / top)

    points = [
        [None if value is None else (x(i), y(value)) for i, value in enumerate(trend)]
        for _name, trend in chart.series
    ]
    ticks = [(y(top * n / 5), str(int(top * n / 5))) for n in range(6)]
    labels = [(x(i), f"{day.month}/{day.day}") for i, day in enumerate(chart.days) if i % 2 == 0]
    return Layout(top=top, points=points, ticks=ticks, labels=labels)


def _runs(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """The line broken where a day has no snapshot."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def svg(chart: Chart) -> str:
    plan = layout(chart)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-size="11" font-family="Noto Sans CJK SC">'
    ]
    for y, text in plan.ticks:
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{text}</text>'
        )
    for x, text in plan.labels:
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'fill="#555">{text}</text>'
        )
    legend_x = LEFT
    for index, ((name, _trend), points) in enumerate(zip(chart.series, plan.points, strict=True)):
        colour = COLOURS[index % len(COLOURS)]
        for run in _runs(points):
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        parts.append(
            f'<rect x="{legend_x}" y="10" width="12" height="12" fill="{colour}"/>'
            f'<text x="{legend_x + 16}" y="20" fill="#333">{escape(name)}</text>'
        )
        legend_x += 28 + 12 * len(name)
    parts.append("</svg>")
    return "".join(parts)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(FONT_PATH, size)
    except OSError:
        return ImageFont.load_default()


def png(chart: Chart, scale: int = 2) -> bytes:
    plan = layout(chart)
    image = Image.new("RGB", (WIDTH * scale, HEIGHT * scale), "white")
    draw = ImageDraw.Draw(image)
    font = _font(11 * scale)

    def at(x: float, y: float) -> tuple[float, float]:
        return x * scale, y * scale

    for y, text in plan.ticks:
        draw.line([at(LEFT, y), at(WIDTH - RIGHT, y)], fill="#dddddd", width=scale)
        draw.text(at(LEFT - 6, y), text, fill="#555555", font=font, anchor="rm")
    for x, text in plan.labels:
        draw.text(at(x, HEIGHT - BOTTOM + 12), text, fill="#555555", font=font, anchor="mt")
    legend_x = LEFT
    for index, ((name, _trend), points) in enumerate(zip(chart.series, plan.points, strict=True)):
        colour = COLOURS[index % len(COLOURS)]
        for run in _runs(points):
            if len(run) == 1:
                x, y = run[0]
                draw.ellipse([at(x - 2, y - 2), at(x + 2, y + 2)], fill=colour)
            else:
                draw.line([at(x, y) for x, y in run], fill=colour, width=2 * scale)
        draw.rectangle([at(legend_x, 10), at(legend_x + 12, 22)], fill=colour)
        draw.text(at(legend_x + 16, 16), name, fill="#333333", font=font, anchor="lm")
        legend_x += 28 + 12 * len(name)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
