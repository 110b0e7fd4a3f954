from django.urls import reverse

from fangyi.accounts.models import User
from tests.support import signed_in


def new_staff(region, **overrides) -> dict:
    data = {
        "username": "new_worker",
        "full_name": "新网格员",
        "password": "a-long-unusual-passphrase",
        "role": "grid_worker",
        "region": region.code,
    }
    data.update(overrides)
    return data


def test_grid_worker_has_no_staff_page(city, worker_a):
    client = signed_in(worker_a)
    assert client.get(reverse("accounts:staff-list")).status_code == 403
    assert client.get(reverse("accounts:staff-create")).status_code == 403
    page = client.get(reverse("people:person-list")).content.decode()
    assert f'href="{reverse("accounts:staff-list")}"' not in page


def test_officer_lists_staff_in_scope_only(city, officer, worker_a, commander):
    html = signed_in(officer).get(reverse("accounts:staff-list")).content.decode()
    assert "worker_a" in html and "officer" in html
    assert "commander" not in html
    assert reverse("accounts:staff-create") in html


def test_commander_sees_staff_but_no_forms(city, commander, worker_a):
    client = signed_in(commander)
    html = client.get(reverse("accounts:staff-list")).content.decode()
    assert "worker_a" in html
    assert reverse("accounts:staff-create") not in html
    assert reverse("accounts:staff-deactivate", args=[worker_a.pk]) not in html
    assert client.get(reverse("accounts:staff-create")).status_code == 403
    assert client.post(reverse("accounts:staff-deactivate", args=[worker_a.pk])).status_code == 403


def test_officer_creates_staff_in_scope(city, officer):
    response = signed_in(officer).post(reverse("accounts:staff-create"), new_staff(city.grid_b))
    assert response.status_code == 302
    created = User.objects.get(username="new_worker")
    assert created.role_assignments.get().region == city.grid_b


def test_officer_cannot_create_outside_scope_or_an_admin(city, officer):
    client = signed_in(officer)
    outside = client.post(reverse("accounts:staff-create"), new_staff(city.district))
    assert "region" in outside.context["form"].errors
    admin = client.post(reverse("accounts:staff-create"), new_staff(city.grid_a, role="admin"))
    assert "role" in admin.context["form"].errors
    weak = client.post(reverse("accounts:staff-create"), new_staff(city.grid_a, password="123"))
    assert "password" in weak.context["form"].errors
    assert not User.objects.filter(username="new_worker").exists()


def test_deactivation_asks_first(city, officer, worker_a):
    client = signed_in(officer)
    url = reverse("accounts:staff-deactivate", args=[worker_a.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "确认停用" in confirm.content.decode()
    worker_a.refresh_from_db()
    assert worker_a.is_active
    assert client.post(url).status_code == 302
    worker_a.refresh_from_db()
    assert not worker_a.is_active


def test_staff_outside_scope_cannot_be_deactivated(city, officer, commander):
    url = reverse("accounts:staff-deactivate", args=[commander.pk])
    assert signed_in(officer).post(url).status_code == 404
    commander.refresh_from_db()
    assert commander.is_active


def test_nobody_deactivates_themselves(city, officer):
    response = signed_in(officer).post(
        reverse("accounts:staff-deactivate", args=[officer.pk]), follow=True
    )
    assert "不能停用自己的账号" in response.content.decode()
    officer.refresh_from_db()
    assert officer.is_active
