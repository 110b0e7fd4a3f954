"""A campaign's page: rounds with their state and numbers, sites and their samplers,
exemptions, and the forms that add them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.models import Exemption, Round, SamplingSite
from fangyi.screening.sampling import services as sampling_services
from tests.factories import staff
from tests.support import ago, signed_in

pytestmark = pytest.mark.django_db


def _detail(campaign):
    return reverse("screening:campaign-detail", args=[campaign.pk])


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_new_campaign_shows_its_empty_parts(city, officer, campaign):
    response = signed_in(officer).get(_detail(campaign))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("三坊社区", "默认 10 人一管", "还没有轮次。", "还没有采样点。", "没有免检人员。"):
        assert text in html
    assert "还没有检测结果" in html
    assert "添加轮次" in html and "添加采样点" in html and "登记免检" in html


def test_rounds_show_their_state_and_numbers(city, officer, campaign, sampler, site, round_now):
    campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(hours=-30), deadline=ago(hours=-40)
    )
    tube = sampling_services.open_tube(
        actor=sampler, barcode="T0001", site=site, round=round_now, pool_size=5
    )
    sampling_services.add_to_tube(actor=sampler, tube=tube, person=city.person_a)
    response = signed_in(officer).get(_detail(campaign))
    first, second = response.context["round_cards"]
    assert (first.state, second.state) == ("running", "upcoming")
    assert (first.figures.tubes, first.figures.open, first.figures.samples) == (1, 1, 1)
    html = response.content.decode()
    assert "进行中" in html and "未开始" in html
    assert "试管 1（采样中 1，已封管 0，已出结果 0）· 采样 1 人次" in html


def test_a_sampler_sees_the_campaign_without_forms(city, sampler, campaign, site):
    response = signed_in(sampler).get(_detail(campaign))
    html = response.content.decode()
    assert response.status_code == 200 and "一网格采样点" in html and "sampler" in html
    assert "round_form" not in response.context and "site_form" not in response.context
    assert "exemption_form" not in response.context


def test_a_campaign_outside_ones_regions_is_404(city, officer, worker_a):
    other = campaign_services.create_campaign(actor=officer, name="二网格", regions=[city.grid_b])
    assert signed_in(worker_a).get(_detail(other)).status_code == 404


def test_adding_a_round(city, officer, campaign):
    start = timezone.now() + datetime.timedelta(days=1)
    response = signed_in(officer).post(
        reverse("screening:round-add", args=[campaign.pk]),
        {
            "round-starts_at": _local(start),
            "round-deadline": _local(start + datetime.timedelta(hours=24)),
        },
    )
    assert response.status_code == 302 and response.url.endswith("#rounds")
    assert Round.objects.get().number == 1


def test_a_bad_round_is_shown_on_the_form(city, officer, campaign, round_now):
    start = timezone.now()
    client = signed_in(officer)
    url = reverse("screening:round-add", args=[campaign.pk])
    overlap = client.post(
        url,
        {
            "round-starts_at": _local(start),
            "round-deadline": _local(start + datetime.timedelta(hours=2)),
        },
    )
    assert overlap.status_code == 400
    assert "时间重叠" in overlap.context["round_form"].errors["starts_at"][0]
    backwards = client.post(
        url,
        {
            "round-starts_at": _local(start + datetime.timedelta(days=3)),
            "round-deadline": _local(start + datetime.timedelta(days=2)),
        },
    )
    assert backwards.context["round_form"].errors["deadline"] == ["截止时间须晚于开始时间。"]
    junk = client.post(url, {"round-starts_at": "tomorrow"})
    assert junk.status_code == 400 and "deadline" in junk.context["round_form"].errors
    assert Round.objects.count() == 1


def test_a_sampler_cannot_add_rounds(city, sampler, campaign):
    response = signed_in(sampler).post(reverse("screening:round-add", args=[campaign.pk]), {})
    assert response.status_code == 403


def test_adding_a_site_with_its_samplers(city, officer, campaign, sampler):
    staff("sampler", city.grid_b, username="sampler_b")
    client = signed_in(officer)
    form = client.get(_detail(campaign)).context["site_form"]
    offered = [label for _pk, label in form.fields["samplers"].choices]
    assert offered == ["sampler", "sampler_b"]
    response = client.post(
        reverse("screening:site-add", args=[campaign.pk]),
        {
            "site-region": city.grid_a.code,
            "site-name": "一网格广场",
            "site-opening_hours": "07:00-22:00",
            "site-capacity_per_hour": "200",
            "site-samplers": [str(sampler.pk)],
        },
    )
    assert response.status_code == 302 and response.url.endswith("#sites")
    site = SamplingSite.objects.get()
    assert site.name == "一网格广场" and list(site.samplers.all()) == [sampler]


def test_a_site_with_a_sampler_of_another_grid_is_refused(city, officer, campaign):
    other = staff("sampler", city.grid_b, username="sampler_b")
    response = signed_in(officer).post(
        reverse("screening:site-add", args=[campaign.pk]),
        {
            "site-region": city.grid_a.code,
            "site-name": "一网格广场",
            "site-capacity_per_hour": "0",
            "site-samplers": [str(other.pk)],
        },
    )
    assert response.status_code == 400
    assert "capacity_per_hour" in response.context["site_form"].errors
    response = signed_in(officer).post(
        reverse("screening:site-add", args=[campaign.pk]),
        {
            "site-region": city.grid_a.code,
            "site-name": "一网格广场",
            "site-capacity_per_hour": "10",
            "site-samplers": [str(other.pk)],
        },
    )
    assert response.context["site_form"].errors["samplers"] == ["sampler_b 不是该区域的采样人员。"]
    assert not SamplingSite.objects.exists()


def test_assigning_more_samplers(city, officer, campaign, site):
    extra = staff("sampler", city.grid_a, username="sampler_a2")
    staff("sampler", city.grid_b, username="sampler_b")
    client = signed_in(officer)
    shown = client.get(_detail(campaign)).context["sites"][0].assign_form
    assert [label for _pk, label in shown.fields["samplers"].choices] == ["sampler_a2"]
    url = reverse("screening:site-assign", args=[site.pk])
    response = client.post(url, {f"assign-{site.pk}-samplers": [str(extra.pk)]})
    assert response.status_code == 302
    assert sorted(u.username for u in site.samplers.all()) == ["sampler", "sampler_a2"]
    nothing = client.post(url, {})
    assert nothing.status_code == 400


def test_exempting_a_person_found_by_search(city, officer, campaign, round_now):
    client = signed_in(officer)
    found = client.get(_detail(campaign), {"exempt-q": city.person_a.id_tail})
    assert [p.pk for p in found.context["found"]] == [city.person_a.pk]
    html = found.content.decode()
    assert "王*明" in html and city.person_a.id_number not in html
    response = client.post(
        reverse("screening:exemption-add", args=[campaign.pk]),
        {
            "exempt-q": city.person_a.id_tail,
            "exempt-person": str(city.person_a.pk),
            "exempt-reason": "住院治疗",
            "exempt-round": str(round_now.pk),
        },
    )
    assert response.status_code == 302 and response.url.endswith("#exemptions")
    exemption = Exemption.objects.get()
    assert (exemption.person, exemption.round, exemption.reason) == (
        city.person_a,
        round_now,
        "住院治疗",
    )
    listed = client.get(_detail(campaign)).content.decode()
    assert "住院治疗" in listed and "第1轮" in listed


def test_exemption_mistakes_are_shown(city, officer, campaign):
    url = reverse("screening:exemption-add", args=[campaign.pk])
    client = signed_in(officer)
    nobody = client.post(url, {"exempt-q": "王", "exempt-reason": "住院"})
    assert nobody.status_code == 400
    assert "person" in nobody.context["exemption_form"].errors
    campaign_services.exempt_person(
        actor=officer, campaign=campaign, person=city.person_a, reason="住院"
    )
    twice = client.post(
        url, {"exempt-q": "王", "exempt-person": str(city.person_a.pk), "exempt-reason": "外出"}
    )
    assert twice.context["exemption_form"].errors["person"] == ["该居民已经免检。"]
    no_reason = client.post(url, {"exempt-q": "李", "exempt-person": str(city.person_b.pk)})
    assert "reason" in no_reason.context["exemption_form"].errors
    assert Exemption.objects.count() == 1


def test_a_person_outside_the_campaign_cannot_be_exempted(city, officer):
    campaign = campaign_services.create_campaign(
        actor=officer, name="一网格", regions=[city.grid_a]
    )
    client = signed_in(officer)
    found = client.get(_detail(campaign), {"exempt-q": city.person_b.id_tail})
    assert found.context["found"] == []
    response = client.post(
        reverse("screening:exemption-add", args=[campaign.pk]),
        {"exempt-person": str(city.person_b.pk), "exempt-reason": "住院"},
    )
    assert response.status_code == 400 and not Exemption.objects.exists()


def test_each_round_links_to_its_coverage(city, officer, campaign, round_now):
    coverage = reverse("screening:coverage", args=[round_now.pk])
    html = signed_in(officer).get(_detail(campaign)).content.decode()
    assert f'href="{coverage}"' in html


def test_sites_come_a_page_at_a_time(city, officer, campaign, site, settings):
    settings.FANGYI_PAGE_SIZE = 1
    campaign_services.create_site(
        actor=officer,
        campaign=campaign,
        region=city.grid_b,
        name="二网格采样点",
        capacity_per_hour=5,
    )
    client = signed_in(officer)
    first = client.get(_detail(campaign))
    assert [s.name for s in first.context["sites"]] == ["一网格采样点"]
    second = client.get(_detail(campaign), {"sites": first.context["next_sites"]})
    assert [s.name for s in second.context["sites"]] == ["二网格采样点"]
    assert second.context["next_sites"] is None
    bad = client.get(_detail(campaign), {"sites": "%%%"})
    assert [s.name for s in bad.context["sites"]] == ["一网格采样点"]
    assert "翻页链接无效" in bad.content.decode()
