"""A notice's life: a draft for regions, published once, withdrawn with a reason; who may do
each, and the audit of each step."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.notices import services
from fangyi.notices.models import Notice, NoticeState

pytestmark = pytest.mark.django_db


def draft(actor, regions, **kwargs):
    return services.create_notice(
        actor=actor,
        title=kwargs.pop("title", "周末全员核酸"),
        body=kwargs.pop("body", "本周六 8:00 起在小区广场采样，请携带身份证。"),
        regions=regions,
        **kwargs,
    )


def changes_of(notice) -> list[ObjectChange]:
    return list(ObjectChange.objects.filter(object_id=str(notice.pk)).order_by("time", "id"))


def test_a_draft_is_kept_by_the_nearest_region_above_its_regions(city, officer):
    notice = draft(officer, [city.grid_a, city.building_b, city.grid_a])
    assert notice.state == NoticeState.DRAFT
    assert notice.region == city.community
    assert services.target_paths(notice) == sorted([city.grid_a.path, city.building_b.path])
    assert [c.action for c in changes_of(notice)] == [ObjectChange.CREATE]


def test_a_region_inside_another_chosen_one_is_dropped(city, officer):
    notice = draft(officer, [city.community, city.grid_a, city.building_b])
    assert services.target_paths(notice) == [city.community.path]


def test_publish_then_withdraw_with_a_reason(city, officer):
    notice = draft(officer, [city.grid_a])
    services.publish_notice(actor=officer, notice=notice)
    notice.refresh_from_db()
    assert notice.state == NoticeState.PUBLISHED and notice.published_at is not None
    with pytest.raises(ValidationError):
        services.publish_notice(actor=officer, notice=notice)
    with pytest.raises(ValidationError) as refused:
        services.withdraw_notice(actor=officer, notice=notice, reason="  ")
    assert "reason" in refused.value.message_dict
    services.withdraw_notice(actor=officer, notice=notice, reason="时间改为下周")
    notice.refresh_from_db()
    assert notice.state == NoticeState.WITHDRAWN
    assert notice.withdrawal_reason == "时间改为下周"
    assert Notice.objects.filter(pk=notice.pk).exists()
    assert [c.action for c in changes_of(notice)] == [
        ObjectChange.CREATE,
        *[ObjectChange.UPDATE] * 2,
    ]
    with pytest.raises(ValidationError):
        services.withdraw_notice(actor=officer, notice=notice, reason="再撤一次")


def test_a_draft_cannot_be_withdrawn_and_only_a_draft_is_edited(city, officer):
    notice = draft(officer, [city.grid_a])
    with pytest.raises(ValidationError):
        services.withdraw_notice(actor=officer, notice=notice, reason="不需要了")
    services.update_notice(
        actor=officer, notice=notice, changes={"title": "改期通知", "regions": [city.grid_b]}
    )
    notice.refresh_from_db()
    assert notice.title == "改期通知" and services.target_paths(notice) == [city.grid_b.path]
    assert notice.region == city.grid_b
    services.publish_notice(actor=officer, notice=notice)
    with pytest.raises(ValidationError):
        services.update_notice(actor=officer, notice=notice, changes={"title": "再改"})


def test_title_body_and_regions_are_required(city, officer):
    with pytest.raises(ValidationError) as refused:
        draft(officer, [city.grid_a], title=" ")
    assert "title" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        draft(officer, [city.grid_a], body="")
    assert "body" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        draft(officer, [])
    assert "regions" in refused.value.message_dict


def test_grid_staff_cannot_write_and_an_officer_only_in_their_street(city, officer, worker_a):
    with pytest.raises(PermissionDenied):
        draft(worker_a, [city.grid_a])
    with pytest.raises(ValidationError) as refused:
        draft(officer, [city.district])
    assert "regions" in refused.value.message_dict
    notice = draft(officer, [city.grid_a])
    with pytest.raises(PermissionDenied):
        services.publish_notice(actor=worker_a, notice=notice)
    assert Notice.objects.get(pk=notice.pk).state == NoticeState.DRAFT
