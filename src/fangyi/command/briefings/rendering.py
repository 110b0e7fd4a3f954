"""The briefing printed: PDF through WeasyPrint (the charts inline as SVG), Word through
python-docx (the charts as PNG)."""

import io

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from fangyi.isolation.documents.rendering import render_pdf

from . import charts
from .content import Content, Line

DOCUMENT_TEMPLATE = "command/briefings/document.html"


def pdf(content: Content) -> bytes:
    return render_pdf(
        DOCUMENT_TEMPLATE,
        {
            "content": content,
            "charts": [(chart.title, mark_safe(charts.svg(chart))) for chart in content.charts],
        },
    )


def _table(document, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text


def _figure_rows(lines: list[Line]) -> list[list[str]]:
    return [[line.name, f"{line.value} {line.unit}", line.previous, line.change] for line in lines]


def docx(content: Content) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Noto Sans CJK SC"
    normal.font.size = Pt(10.5)
    # East Asian text takes the font named here, not the Latin one above.
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    document.add_heading(content.title, level=0)
    document.add_paragraph(content.day.isoformat())
    if content.live:
        document.add_paragraph(_("当日数据为实时统计，非日终快照。"))
    for block in content.blocks:
        if block.heading:
            document.add_heading(block.text, level=1)
        else:
            document.add_paragraph(block.text)
    figure_header = [_("指标"), _("当日"), _("前一日"), _("变化")]
    document.add_heading(_("主要指标"), level=1)
    _table(document, figure_header, _figure_rows(content.headline))
    document.add_heading(_("趋势"), level=1)
    for chart in content.charts:
        document.add_paragraph(chart.title)
        document.add_picture(io.BytesIO(charts.png(chart)), width=Cm(16))
    document.add_heading(_("问题清单"), level=1)
    if content.problems.today:
        _table(
            document,
            [_("问题"), _("工单数")],
            [[line.title, str(line.count)] for line in content.problems.today],
        )
    else:
        document.add_paragraph(_("当日无问题清单。"))
    document.add_paragraph(
        _("前一日问题 %(total)s 项，已解决 %(fixed)s 项。")
        % {"total": len(content.problems.yesterday), "fixed": content.problems.yesterday_fixed}
    )
    if content.problems.yesterday:
        _table(
            document,
            [_("问题"), _("办理结果")],
            [[line.title, line.outcome] for line in content.problems.yesterday],
        )
    document.add_heading(_("新划定管控区域"), level=1)
    if content.zones:
        _table(
            document,
            [_("名称"), _("类别"), _("开始时间")],
            [[zone.name, zone.kind, f"{zone.starts_at:%H:%M}"] for zone in content.zones],
        )
    else:
        document.add_paragraph(_("当日无新划定管控区域。"))
    document.add_heading(_("各领域超时事项"), level=1)
    _table(document, figure_header, _figure_rows(content.overdue))
    document.add_heading(_("全部指标"), level=1)
    _table(document, figure_header, _figure_rows(content.lines))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
