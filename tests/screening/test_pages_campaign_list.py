"""The campaign list and the form that starts a campaign."""

import pytest
from django.urls import reverse

from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.models import Campaign
from tests.factories import staff
from tests.support import signed_in

pytestmark = pytest.mark.django_db

LIST = reverse("screening:campaign-list")
CREATE = reverse("screening:campaign-create")


def test_an_empty_list_says_so_and_offers_a_new_campaign(city, officer):
    response = signed_in(officer).get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "辖区内还没有筛查任务。" in html and CREATE in html
    assert reverse("screening:sampling") not in html


def test_campaigns_are_listed_newest_first_with_their_last_round(city, officer, round_now):
    campaign_services.create_campaign(actor=officer, name="第二次筛查", regions=[city.grid_b])
    response = signed_in(officer).get(LIST)
    rows = response.context["campaigns"]
    assert [row.name for row in rows] == ["第二次筛查", "三坊社区全员核酸"]
    html = response.content.decode()
    assert "第1轮" in html and "进行中" in html and "尚无轮次" in html


def test_a_sampler_sees_the_list_but_cannot_start_one(city, sampler, campaign):
    response = signed_in(sampler).get(LIST)
    html = response.content.decode()
    assert response.status_code == 200 and "三坊社区全员核酸" in html
    assert CREATE not in html and reverse("screening:sampling") in html
    assert signed_in(sampler).get(CREATE).status_code == 403


def test_staff_without_campaigns_get_403(city):
    guard = staff("checkpoint", city.community, username="guard")
    assert signed_in(guard).get(LIST).status_code == 403


def test_the_region_filter_narrows_and_refuses_unknown_codes(city, officer):
    campaign_services.create_campaign(actor=officer, name="一网格", regions=[city.grid_a])
    campaign_services.create_campaign(actor=officer, name="二网格", regions=[city.grid_b])
    client = signed_in(officer)
    names = [c.name for c in client.get(LIST, {"region": city.grid_b.code}).context["campaigns"]]
    assert names == ["二网格"]
    refused = client.get(LIST, {"region": "999999"})
    assert refused.context["campaigns"] == []
    assert "没有找到该区域" in refused.content.decode()
    assert "没有符合条件的筛查任务。" in refused.content.decode()


def test_campaigns_outside_ones_regions_are_not_listed(city, officer, worker_a):
    campaign_services.create_campaign(actor=officer, name="二网格", regions=[city.grid_b])
    assert signed_in(worker_a).get(LIST).context["campaigns"] == []


def test_pages_of_campaigns(city, officer, settings):
    settings.FANGYI_PAGE_SIZE = 1
    for name in ("甲", "乙"):
        campaign_services.create_campaign(actor=officer, name=name, regions=[city.grid_a])
    client = signed_in(officer)
    first = client.get(LIST)
    second = client.get(LIST, {"cursor": first.context["next_cursor"]})
    assert [c.name for c in first.context["campaigns"] + second.context["campaigns"]] == [
        "乙",
        "甲",
    ]


def test_the_form_offers_the_regions_one_may_cover(city, officer):
    response = signed_in(officer).get(CREATE)
    choices = [code for code, _label in response.context["form"].fields["regions"].choices]
    assert choices == [city.street.code, city.community.code]


def test_an_officer_starts_a_campaign(city, officer):
    response = signed_in(officer).post(
        CREATE,
        {
            "name": "三坊社区第二次全员核酸",
            "regions": [city.community.code],
            "default_pool_size": "5",
            "pool_sizes": ["1", "5", "10"],
            "other_sizes": "3, 4",
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("screening:campaign-detail", args=[campaign.pk])
    assert campaign.pool_sizes == [1, 3, 4, 5, 10] and campaign.default_pool_size == 5
    assert list(campaign.areas.values_list("path", flat=True)) == [city.community.path]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "这个字段是必填项。"),
        ({"regions": []}, "regions", "这个字段是必填项。"),
        ({"regions": ["350102001001001"]}, "regions", "350102001001001"),
        ({"default_pool_size": "20", "pool_sizes": ["1", "5"]}, None, "默认混采人数须在"),
        ({"other_sizes": "三"}, "other_sizes", "请填写 1 到 50 之间的整数。"),
        ({"other_sizes": "70"}, None, "允许的混采人数应为 1 到 50"),
    ],
    ids=["no-name", "no-region", "grid-not-offered", "default-not-allowed", "words", "too-big"],
)
def test_mistakes_are_shown_on_the_form(city, officer, fields, field, message):
    body = {
        "name": "筛查",
        "regions": [city.community.code],
        "default_pool_size": "10",
        "pool_sizes": ["1", "5", "10", "20"],
    } | fields
    response = signed_in(officer).post(CREATE, body)
    assert response.status_code == 400
    form = response.context["form"]
    errors = form.errors.get(field, []) if field else [e for es in form.errors.values() for e in es]
    assert any(message in error for error in errors), form.errors
    assert not Campaign.objects.exists()
