"""The coverage page (a region's progress and its children's, drilled down to buildings, a
chart, the home-sampling button for leaders) and the missing list with its export."""

import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from fangyi.accounts.models import RoleAssignment
from fangyi.fieldwork.models import Task
from fangyi.ledgers.models import ExportJob
from fangyi.screening.campaigns import services as campaign_services
from tests.support import ago

from .coverage_support import record, result

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counts(settings, tmp_path):
    settings.FANGYI_LEDGER_DIR = tmp_path / "ledgers"
    cache.clear()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(user, round, name: str, **query):
    return _client(user).get(reverse(f"screening:{name}", args=[round.pk]), query)


def test_the_tree_with_data(city, officer, sampler, site, round_now):
    record(sampler, site, "T0001", [city.person_a], pool_size=1)
    result("T0001", "positive")
    response = _page(officer, round_now, "coverage")
    assert response.status_code == 200
    html = response.content.decode()
    assert "三坊社区" in html and 'id="coverage-total"' in html
    assert 'aria-valuenow="50.0"' in html
    assert f'data-region="{city.grid_a.code}"' in html
    assert f"?region={city.grid_a.code}" in html
    chart = json.loads(
        html.split('id="coverage-chart-data" type="application/json">')[1].split("</script>")[0]
    )
    assert chart["names"] == ["第一网格", "第二网格"] and chart["percents"] == [100.0, 0.0]
    assert "echarts/dist/echarts.min.js" in html


def test_drilling_down_to_a_building(city, officer, round_now):
    grid = _page(officer, round_now, "coverage", region=city.grid_a.code).content.decode()
    assert "第一网格" in grid and "1号楼" in grid
    # A building's row opens its missing list; the crumbs lead back up.
    assert f"/missing/?region={city.building_a.code}" in grid
    assert f"?region={city.community.code}" in grid
    building = _page(officer, round_now, "coverage", region=city.building_a.code)
    assert building.status_code == 200
    assert 'id="coverage-children"' not in building.content.decode()


def test_without_samples(city, worker_a, round_now):
    html = _page(worker_a, round_now, "coverage").content.decode()
    assert "第一网格" in html and "第二网格" not in html
    assert 'aria-valuenow="0.0"' in html
    assert "未采样名单（1 人）" in html


def test_leaders_get_the_home_sampling_button(city, leader_a, worker_a, round_now):
    city.person_a.is_disabled = True
    city.person_a.save()
    assert 'id="home-tasks"' not in _page(worker_a, round_now, "coverage").content.decode()
    assert 'id="home-tasks"' in _page(leader_a, round_now, "coverage").content.decode()
    client = _client(leader_a)
    url = f"/screening/rounds/{round_now.pk}/home-tasks/"
    response = client.post(url, {"region": city.grid_a.code}, follow=True)
    assert "已生成 1 个上门采样任务" in response.content.decode()
    again = client.post(url, {"region": city.grid_a.code}, follow=True)
    assert "此前都已生成任务" in again.content.decode()
    assert _client(worker_a).post(url).status_code == 403
    assert Task.objects.count() == 1


def test_out_of_sight_is_not_found(city, officer, worker_a, round_now):
    assert _page(worker_a, round_now, "coverage", region=city.grid_b.code).status_code == 404
    assert _page(worker_a, round_now, "missing", region=city.grid_b.code).status_code == 404
    campaign = campaign_services.create_campaign(
        actor=officer, name="二网格", regions=[city.grid_b]
    )
    hidden = campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(hours=1), deadline=ago(hours=-1)
    )
    assert _page(worker_a, hidden, "coverage").status_code == 404


def test_the_missing_list(city, officer, sampler, site, round_now):
    record(sampler, site, "T0001", [city.person_b], pool_size=1)
    response = _page(officer, round_now, "missing", region=city.community.code)
    html = response.content.decode()
    assert "王*明" in html and "王小明" not in html and "李*英" not in html
    assert f"尾号 {city.person_a.id_tail}" in html and "1号楼1单元101" in html
    assert "应检 2 人，尚未采样 1 人" in html
    assert 'id="missing-export"' in html


def test_the_missing_list_when_all_are_sampled(city, sampler, site, round_now):
    record(sampler, site, "T0001", [city.person_a, city.person_b], pool_size=5)
    html = _page(sampler, round_now, "missing", region=city.community.code).content.decode()
    assert "全部已采样" in html
    # Samplers may not export residents.
    assert 'id="missing-export"' not in html


def test_more_pages_append_through_htmx(city, officer, round_now, settings):
    settings.FANGYI_PAGE_SIZE = 1
    first = _page(officer, round_now, "missing", region=city.community.code).content.decode()
    assert 'id="missing-more"' in first
    cursor = first.split("cursor=")[1].split('"')[0]
    rows = _client(officer).get(
        f"/screening/rounds/{round_now.pk}/missing/",
        {"region": city.community.code, "cursor": cursor},
        headers={"HX-Request": "true"},
    )
    assert "李*英" in rows.content.decode() and "<html" not in rows.content.decode()


def test_the_export_button_starts_a_ledger_export(city, officer, round_now):
    response = _client(officer).post(
        f"/screening/rounds/{round_now.pk}/missing/export/",
        {"region": city.grid_a.code, "format": "csv"},
    )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ledgers/exports/{job.pk}/"
    assert job.ledger == "screening-missing" and job.filters == {"round": str(round_now.pk)}
    assert job.region_id == city.grid_a.pk and not job.revealed
    revealed = _client(officer).post(
        f"/screening/rounds/{round_now.pk}/missing/export/",
        {"region": city.grid_a.code, "format": "xlsx", "reveal_reason": "x"},
        follow=True,
    )
    assert "请填写导出明文的理由" in revealed.content.decode()


def test_staff_of_two_grids_see_both_and_choose_one(city, worker_a, round_now):
    RoleAssignment.objects.create(
        user=worker_a, role="grid_worker", region=city.grid_b, region_path=city.grid_b.path
    )
    html = _page(worker_a, round_now, "coverage").content.decode()
    assert "合计" in html and "第一网格" in html and "第二网格" in html
    assert "未采样名单（2 人）" in html
    choose = _page(worker_a, round_now, "missing").content.decode()
    assert 'id="missing-regions"' in choose
    assert f"?region={city.grid_b.code}" in choose
