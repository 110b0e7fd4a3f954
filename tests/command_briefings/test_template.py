"""The briefing's text is a template an admin edits: refused with the error when it does not
render, previewed with sample figures, and set back to the shipped preset."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.command.briefings import services
from fangyi.command.briefings.models import BriefingTemplate
from fangyi.command.briefings.preset import PRESET
from tests.support import signed_in

from .support import counted_day, pdf_text

URL = "/command/briefings/template/"


def test_the_preset_until_one_is_saved(db):
    assert services.template_text() == PRESET


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("# 标题\n{% if %}", "模板语法错误"),
        ("{{ figures.cases.new.value|nosuchfilter }}", "模板语法错误"),
        ('{% include "base.html" %}', "include"),
        ("{% load static %}", "load"),
        ("   ", "请填写模板"),
        ("{% if False %}空{% endif %}", "内容为空"),
    ],
)
def test_a_template_that_does_not_render_is_refused(superuser, text, says):
    with pytest.raises(ValidationError) as refused:
        services.save_template(actor=superuser, text=text)
    assert says in " ".join(refused.value.message_dict["text"])
    assert not BriefingTemplate.objects.exists()


def test_only_an_admin_saves_it(city, commander):
    with pytest.raises(PermissionDenied):
        services.save_template(actor=commander, text="# 简报")


def test_the_saved_template_writes_the_next_briefing(city, superuser, commander):
    day = counted_day(city, superuser)
    services.save_template(
        actor=superuser, text="# 今日要点\n社会面新增{{ figures.cases.community.value }}例。"
    )
    services.save_template(
        actor=superuser, text="# 今日要点\n社会面新增{{ figures.cases.community.value }}例！"
    )
    assert BriefingTemplate.objects.count() == 1
    text = pdf_text(bytes(services.generate(actor=commander, region=city.city, day=day).pdf))
    assert "今日要点" in text
    assert "社会面新增2例！" in text


def test_the_page_refuses_with_the_error_and_keeps_the_text(city, superuser):
    response = signed_in(superuser).post(URL, {"text": "{% if %}", "action": "save"})
    assert response.status_code == 400
    assert "模板语法错误" in response.content.decode()
    assert "{% if %}" in response.content.decode()
    assert not BriefingTemplate.objects.exists()


def test_the_page_previews_without_saving(city, superuser):
    response = signed_in(superuser).post(
        URL,
        {
            "text": "# 预览标题\n{{ region }}新增{{ figures.cases.new.value }}例",
            "action": "preview",
        },
    )
    assert response.status_code == 200
    assert "示例市新增12例" in response.content.decode()
    assert not BriefingTemplate.objects.exists()


def test_the_page_offers_the_preset_and_saves(city, superuser):
    client = signed_in(superuser)
    offered = client.post(URL, {"action": "preset"})
    assert "总体情况" in offered.content.decode()
    assert not BriefingTemplate.objects.exists()
    saved = client.post(URL, {"text": "# 我的简报\n{{ region }}", "action": "save"})
    assert saved.status_code == 302
    assert services.template_text() == "# 我的简报\n{{ region }}"
    assert "我的简报" in client.get(URL).content.decode()


def test_a_commander_is_refused_the_page(city, commander):
    assert signed_in(commander).get(URL).status_code == 403
