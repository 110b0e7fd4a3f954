from django.urls import reverse

from fangyi.people import services
from tests.support import signed_in


def test_grid_worker_has_no_audit_page(city, worker_a):
    assert signed_in(worker_a).get(reverse("core:audit-log")).status_code == 403


def test_changes_are_listed_newest_first_and_scoped(city, officer, commander, worker_b):
    services.update_person(actor=officer, person=city.person_a, changes={"notes": "第一次"})
    services.update_person(actor=officer, person=city.person_a, changes={"notes": "第二次"})
    services.update_person(actor=officer, person=city.person_b, changes={"notes": "乙"})
    rows = signed_in(commander).get(reverse("core:audit-log")).context["rows"]
    notes = [row.after["notes"] for row in rows if row.object_id == str(city.person_a.pk)]
    assert notes == ["第二次", "第一次"]
    grid_leader_b = worker_b
    grid_leader_b.role_assignments.update(role="grid_leader")
    html = signed_in(grid_leader_b).get(reverse("core:audit-log")).content.decode()
    assert "乙" in html and "第一次" not in html


def test_filters_by_object_and_actor(city, officer, commander, worker_b):
    services.update_person(actor=officer, person=city.person_a, changes={"notes": "甲"})
    services.update_person(actor=worker_b, person=city.person_b, changes={"notes": "乙"})
    client = signed_in(commander)
    by_object = client.get(reverse("core:audit-log"), {"object": str(city.person_b.pk)})
    assert "乙" in by_object.content.decode() and "甲" not in by_object.content.decode()
    by_actor = client.get(reverse("core:audit-log"), {"actor": "officer"})
    assert "甲" in by_actor.content.decode() and "乙" not in by_actor.content.decode()


def test_access_events_tab_shows_reasons(city, officer):
    services.reveal_person(actor=officer, person=city.person_a, reason="电话回访")
    html = signed_in(officer).get(reverse("core:audit-log"), {"kind": "access"}).content.decode()
    assert "电话回访" in html


def test_pages_walk_newest_to_oldest(city, officer, settings):
    settings.FANGYI_PAGE_SIZE = 1
    for note in ("一", "二", "三"):
        services.update_person(actor=officer, person=city.person_a, changes={"notes": note})
    client = signed_in(officer)
    seen, cursor = [], ""
    for _page in range(3):
        response = client.get(reverse("core:audit-log"), {"cursor": cursor} if cursor else {})
        seen.append(response.context["rows"][0].after["notes"])
        cursor = response.context["next_cursor"]
    assert seen == ["三", "二", "一"]
    bad = client.get(reverse("core:audit-log"), {"cursor": "%%%"})
    assert bad.status_code == 200 and "翻页链接无效" in bad.content.decode()
