"""The plans page: each plan's parameters in words, which is in force, and the commander's
confirmed switch."""

import datetime

from django.urls import reverse
from django.utils import timezone

from fangyi.health import services
from fangyi.health.models import Policy, Status
from tests.support import signed_in


def _section(html: str, code: str) -> str:
    return html.split(f'id="policy-{code}"', 1)[1].split("</section>", 1)[0]


def test_the_three_plans_are_shown_readably(city, officer):
    html = signed_in(officer).get(reverse("health:policy-list")).content.decode()
    march = _section(html, "2022-03")
    ninth = _section(html, "2022-06-9th")
    twenty = _section(html, "2022-11-20m")
    assert 'data-in-force="yes"' in html.split('id="policy-2022-06-9th"', 1)[1][:80]
    assert "执行中" in ninth and "执行中" not in march
    assert "封控区 · 橙码" in march and "足不出户，上门服务" in march
    assert "连续 14 天无新增阳性；解除前 2 天内全员核酸阴性" in march
    assert "集中隔离 14 天，橙码，第 1、4、7、14 天核酸检测" in march
    assert "集中隔离 7 天，红码，第 1、2、3、5、7 天核酸检测" in ninth
    assert "居家健康监测 3 天，黄码，第 3 天核酸检测" in ninth
    assert "解除时降为中风险区" in ninth and "降级后满 3 天" in ninth
    assert "低风险区 · 不赋码" in ninth
    assert "不再判定" in twenty and "中风险区" not in twenty


def test_officers_cannot_switch(city, officer):
    client = signed_in(officer)
    assert "切换为此方案" not in client.get(reverse("health:policy-list")).content.decode()
    march = Policy.objects.get(code="2022-03")
    assert client.get(reverse("health:policy-switch", args=[march.pk])).status_code == 403
    assert client.post(reverse("health:policy-switch", args=[march.pk])).status_code == 403
    assert Policy.objects.in_force().code == "2022-06-9th"


def test_a_commander_switches_after_confirming(city, commander, worker_a):
    services.record_fact(
        actor=worker_a,
        source="manual",
        person=city.person_a,
        kind="close_contact",
        occurred_at=timezone.now() - datetime.timedelta(days=1),
    )
    assert Status.objects.get(person=city.person_a).colour == "red"
    client = signed_in(commander)
    march = Policy.objects.get(code="2022-03")
    url = reverse("health:policy-switch", args=[march.pk])
    assert url in client.get(reverse("health:policy-list")).content.decode()
    confirm = client.get(url).content.decode()
    assert "切换为「2022年3月防控方案（封控区/管控区/防范区）」？" in confirm
    assert "现行方案「第九版防控方案（高/中/低风险区）」将停止执行" in confirm
    assert Policy.objects.in_force().code == "2022-06-9th"
    response = client.post(url, follow=True)
    assert "全部居民的健康码将按新方案重新计算" in response.content.decode()
    assert Policy.objects.in_force() == march
    status = Status.objects.get(person=city.person_a)
    assert status.colour == "orange" and status.policy_version == "2022-03.v1"
    again = client.get(url, follow=True)
    assert "该方案已在执行" in again.content.decode()


def test_plans_read_in_english(city, officer):
    client = signed_in(officer)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("health:policy-list")).content.decode()
    assert "9th edition (high / medium / low risk areas)" in html
    assert "High-risk area" in html and "Nobody leaves home; services come to the door." in html
