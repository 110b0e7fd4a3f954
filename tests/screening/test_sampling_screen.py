"""The sampling screen as a page: the sampler's site and the running round, and the forms
that work without its script (open a tube, scan or search and add people, close)."""

import pytest
from django.urls import reverse

from fangyi.codes import services as codes
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.models import Sample, Tube
from fangyi.screening.sampling import services as sampling_services
from tests.factories import staff
from tests.support import ago, signed_in

pytestmark = pytest.mark.django_db

SCREEN = reverse("screening:sampling")
OPEN = reverse("screening:sampling-open")
ADD = reverse("screening:sampling-add")
CLOSE = reverse("screening:sampling-close")


def test_a_sampler_with_one_site_lands_on_it(city, sampler, site, round_now):
    response = signed_in(sampler).get(SCREEN)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["site"] == site and response.context["round"] == round_now
    assert "一网格采样点" in html and "第1轮" in html and "sampling.js" in html
    assert response.context["tube"] is None


def test_a_sampler_without_sites_is_told(city, sampler):
    html = signed_in(sampler).get(SCREEN).content.decode()
    assert "您还没有被安排到任何采样点" in html and "sampling.js" not in html


def test_a_sampler_with_two_sites_chooses(city, officer, campaign, sampler, site, round_now):
    other = campaign_services.create_site(
        actor=officer,
        campaign=campaign,
        region=city.grid_b,
        name="二网格采样点",
        capacity_per_hour=100,
        samplers=[sampler],
    )
    client = signed_in(sampler)
    chooser = client.get(SCREEN)
    assert chooser.context["site"] is None and "选择采样点" in chooser.content.decode()
    chosen = client.get(SCREEN, {"site": str(other.pk)})
    assert chosen.context["site"] == other


def test_the_one_site_sampling_now_is_chosen(city, officer, sampler, site, round_now):
    finished = campaign_services.create_campaign(
        actor=officer, name="上次筛查", regions=[city.grid_a]
    )
    campaign_services.create_site(
        actor=officer,
        campaign=finished,
        region=city.grid_a,
        name="旧采样点",
        capacity_per_hour=100,
        samplers=[sampler],
    )
    client = signed_in(sampler)
    assert client.get(SCREEN).context["site"] == site
    assert client.get(SCREEN, {"site": ""}).context["site"] is None


def test_no_running_round_means_no_sampling(city, officer, campaign, sampler, site):
    campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(hours=-2), deadline=ago(hours=-20)
    )
    html = signed_in(sampler).get(SCREEN).content.decode()
    assert "当前没有进行中的轮次" in html and "open-form" not in html


def test_staff_who_do_not_sample_get_403(city, officer, worker_a):
    assert signed_in(officer).get(SCREEN).status_code == 403
    assert signed_in(worker_a).get(SCREEN).status_code == 403


def test_a_tube_filled_through_the_forms(city, sampler, site, round_now, worker_a):
    client = signed_in(sampler)
    opened = client.post(OPEN, {"site": str(site.pk), "barcode": "T0001", "pool_size": "1"})
    assert opened.status_code == 302 and "tube=T0001" in opened.url
    screen = client.get(opened.url)
    assert screen.context["tube"].barcode == "T0001"
    code = codes.issue_display_code(person_id=city.person_a.pk).text
    added = client.post(ADD, {"site": str(site.pk), "tube": "T0001", "text": code}, follow=True)
    assert "已加入 王*明；试管 T0001 已满，已自动封管。" in added.content.decode()
    assert Tube.objects.get().state == "closed"


def test_search_then_choose_then_close_with_confirmation(city, sampler, site, round_now):
    client = signed_in(sampler)
    client.post(OPEN, {"site": str(site.pk), "barcode": "T0002", "pool_size": "5"})
    searched = client.post(ADD, {"site": str(site.pk), "tube": "T0002", "text": "李"})
    assert "q=" in searched.url
    results = client.get(searched.url)
    assert [found.person for found in results.context["found"]] == [city.person_b]
    html = results.content.decode()
    assert "李*英" in html and city.person_b.id_number not in html
    client.post(ADD, {"site": str(site.pk), "tube": "T0002", "person": str(city.person_b.pk)})
    assert Sample.objects.get().person == city.person_b
    asked = client.post(CLOSE, {"site": str(site.pk), "tube": "T0002"})
    assert "close=1" in asked.url
    assert "确认封管 T0002？管内 1/5 人" in client.get(asked.url).content.decode()
    assert Tube.objects.get().state == "open"
    closed = client.post(CLOSE, {"site": str(site.pk), "tube": "T0002", "confirm": "1"})
    assert closed.status_code == 302 and Tube.objects.get().state == "closed"


def test_the_open_tube_is_picked_up_again_after_a_reload(city, sampler, site, round_now):
    tube = sampling_services.open_tube(
        actor=sampler, barcode="T0003", site=site, round=round_now, pool_size=5
    )
    sampling_services.add_to_tube(actor=sampler, tube=tube, person=city.person_a)
    response = signed_in(sampler).get(SCREEN)
    assert response.context["tube"] == tube
    assert 'data-tube="T0003"' in response.content.decode()
    assert "王*明" in response.content.decode()


def test_refusals_come_back_as_messages(city, sampler, site, round_now):
    client = signed_in(sampler)
    client.post(OPEN, {"site": str(site.pk), "barcode": "T0004", "pool_size": "5"})
    twice = client.post(
        OPEN, {"site": str(site.pk), "barcode": "T0004", "pool_size": "5"}, follow=True
    )
    assert "条码 T0004 已被使用，请换一支试管。" in twice.content.decode()
    forged = client.post(
        ADD, {"site": str(site.pk), "tube": "T0004", "text": "FY1:NOT-A-CODE"}, follow=True
    )
    assert "无法识别该码，请重新扫描。" in forged.content.decode()
    stranger = staff("sampler", city.community, username="stranger")
    refused = signed_in(stranger).post(
        OPEN, {"site": str(site.pk), "barcode": "T0005"}, follow=True
    )
    assert "请先选择采样点。" in refused.content.decode()
    assert Tube.objects.count() == 1
