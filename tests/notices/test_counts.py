"""Counts per region against the hand-counted neighbourhood (tests/notices/support.py):
a notice to the community that asks for confirmation; person A reads and confirms, D1 reads;
the SMS go to B and C1 (C1's fails); grid A's worker tells household C in person."""

import pytest

from fangyi.notices import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def reached(city, homes, officer, worker_a, recording_sms):
    notice = services.create_notice(
        actor=officer, title="居家通知", body="请居家", regions=[city.community], ask_confirm=True
    )
    notice = services.publish_notice(actor=officer, notice=notice)
    services.read_notice(person=city.person_a, notice_id=notice.pk)
    services.confirm_notice(person=city.person_a, notice_id=notice.pk)
    services.read_notice(person=homes.d1, notice_id=notice.pk)
    assert services.queue_sms(notice_id=notice.pk) == 2
    recording_sms.failing = {homes.c1.phone}
    services.send_due_sms()
    return notice


def test_the_community_and_each_grid(city, homes, worker_a, reached):
    assert {h.pk for h in services.unreached_households(reached, worker_a)} == {
        homes.household_c.pk
    }
    services.mark_told(actor=worker_a, notice=reached, household=homes.household_c)
    total, rows = services.reach_counts(reached, city.community)
    assert (total.households, total.households_reached) == (4, 4)
    assert (total.residents_reached, total.read, total.confirmed) == (3, 2, 1)
    assert (total.sms_sent, total.told) == (1, 1)
    by_grid = {row.region.code: row for row in rows}
    grid_a, grid_b = by_grid[city.grid_a.code], by_grid[city.grid_b.code]
    assert (grid_a.households, grid_a.households_reached, grid_a.residents_reached) == (2, 2, 1)
    assert (grid_a.read, grid_a.confirmed, grid_a.sms_sent, grid_a.told) == (1, 1, 0, 1)
    assert (grid_b.households, grid_b.households_reached, grid_b.residents_reached) == (2, 2, 2)
    assert (grid_b.read, grid_b.confirmed, grid_b.sms_sent, grid_b.told) == (1, 0, 1, 0)
    assert grid_a.residents == city.grid_a.resident_count


def test_down_to_the_building(city, homes, reached):
    total, rows = services.reach_counts(reached, city.grid_b)
    assert [row.region for row in rows] == [city.building_b]
    assert (rows[0].households_reached, rows[0].residents_reached, rows[0].sms_sent) == (2, 2, 1)
    building, inside = services.reach_counts(reached, city.building_a)
    assert inside == []
    assert (building.households, building.households_reached, building.confirmed) == (2, 1, 1)


def test_a_notice_to_part_of_a_region_counts_only_that_part(city, homes, officer):
    notice = services.create_notice(
        actor=officer, title="1号楼停水", body="明日停水", regions=[city.building_a]
    )
    notice = services.publish_notice(actor=officer, notice=notice)
    total, rows = services.reach_counts(notice, city.community)
    assert total.households == city.building_a.household_count == 2
    assert [row.region for row in rows] == [city.grid_a]


def test_the_sms_summary_shows_the_failure(homes, reached):
    summary = services.sms_summary(reached)
    assert (summary.sent, summary.failed, summary.queued, summary.gave_up) == (1, 1, 0, 0)
