"""Who sees which notice: residents those for their building or a region above it, once
published; staff those reaching their regions, and the drafts they may change."""

import pytest

from fangyi.notices import services
from fangyi.notices.models import Notice

pytestmark = pytest.mark.django_db


def published(actor, regions, title="通知"):
    notice = services.create_notice(actor=actor, title=title, body="正文", regions=regions)
    return services.publish_notice(actor=actor, notice=notice)


def test_residents_see_the_notices_of_their_regions_once_published(city, officer):
    to_a = published(officer, [city.grid_a], "一网格")
    to_all = published(officer, [city.community], "全社区")
    to_b_building = published(officer, [city.building_b], "2号楼")
    services.create_notice(actor=officer, title="草稿", body="正文", regions=[city.grid_a])
    assert set(services.resident_notices(city.person_a)) == {to_a, to_all}
    assert set(services.resident_notices(city.person_b)) == {to_all, to_b_building}


def test_a_withdrawn_notice_stays_in_the_residents_list(city, officer):
    notice = published(officer, [city.grid_a])
    services.withdraw_notice(actor=officer, notice=notice, reason="发错了")
    assert list(services.resident_notices(city.person_a)) == [notice]


def test_staff_see_notices_reaching_their_regions(city, officer, worker_a, worker_b, commander):
    to_a = published(officer, [city.grid_a])
    to_city = published(commander, [city.city])
    draft = services.create_notice(actor=officer, title="草稿", body="正文", regions=[city.grid_a])
    assert set(services.visible_notices(worker_a)) == {to_a, to_city}
    assert set(services.visible_notices(worker_b)) == {to_city}
    assert set(services.visible_notices(officer)) == {to_a, to_city, draft}
    assert set(services.visible_notices(commander)) == {to_a, to_city, draft}


def test_a_resident_cannot_open_a_notice_of_another_grid(city, officer):
    notice = published(officer, [city.grid_a])
    with pytest.raises(Notice.DoesNotExist):
        services.read_notice(person=city.person_b, notice_id=notice.pk)
