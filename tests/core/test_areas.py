"""Areas plug in through core.areas: what an area declares in its area.py shows up in the
navigation, the home page and the permission matrix without core naming it."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy

from fangyi.accounts.forms import StaffCreateForm
from fangyi.accounts.models import RoleAssignment
from fangyi.core import areas, permissions
from fangyi.core.areas import Area, Card, NavLink, Todo, register
from fangyi.core.permissions import (
    GRID_WORKER,
    OFFICER,
    VIEW,
    Role,
    can,
    grantable_roles,
    role_codes,
)
from fangyi.fieldwork import services as fieldwork
from tests.support import signed_in

from ..factories import staff

WIDGET = "widget"


def widgets_to_do(user) -> Todo:
    return Todo(count=7)


@pytest.fixture
def registry(monkeypatch):
    """The registries as they are, restored after the test registers an area of its own."""
    monkeypatch.setattr(areas, "_AREAS", dict(areas._AREAS))
    monkeypatch.setattr(permissions, "_ROLES", dict(permissions._ROLES))
    monkeypatch.setattr(
        permissions, "MATRIX", {role: dict(grants) for role, grants in permissions.MATRIX.items()}
    )


@pytest.fixture
def widgets_area(registry):
    """An area the shell has never heard of, with a role of its own (as the hotline's
    operator will be), a resource only that role and grid workers hold, a link and a card."""
    return register(
        Area(
            name="widgets",
            roles=(Role("operator", gettext_lazy("接线员"), 95),),
            grants={WIDGET: {"operator": frozenset({VIEW}), GRID_WORKER: frozenset({VIEW})}},
            nav=(NavLink(gettext_lazy("小部件"), "core:audit-log", ((WIDGET, VIEW),), order=55),),
            cards=(
                Card(
                    key="widgets",
                    title=gettext_lazy("待办小部件"),
                    empty=gettext_lazy("没有小部件。"),
                    url_name="core:audit-log",
                    roles=frozenset({"operator", GRID_WORKER}),
                    shown_to=(WIDGET, VIEW),
                    compute=f"{__name__}.widgets_to_do",
                ),
            ),
        )
    )


def test_every_installed_app_with_an_area_module_is_registered():
    with_area = {
        config.name.rsplit(".", 1)[-1]
        for config in apps.get_app_configs()
        if module_has_submodule(config.module, "area")
    }
    assert {area.name for area in areas.areas()} == with_area
    assert {"core", "accounts", "regions", "health", "screening"} <= with_area


def test_an_admin_sees_every_areas_links_and_cards(city, superuser):
    html = signed_in(superuser).get(reverse("core:home")).content.decode()
    for area in areas.areas():
        for link in area.nav:
            if link.unless:
                continue
            assert f'href="{reverse(link.url_name)}"' in html, link.url_name
        for card in area.cards:
            assert f'id="card-{card.key}"' in html, card.key


def test_a_role_without_the_permission_sees_neither_link_nor_card(city):
    volunteer = staff("volunteer", city.grid_a)
    RoleAssignment.objects.create(
        user=volunteer, role="volunteer", region=city.grid_b, region_path=city.grid_b.path
    )
    html = signed_in(volunteer).get(reverse("core:home")).content.decode()
    for url_name in ("accounts:staff-list", "core:audit-log", "ledgers:index", "fieldwork:list"):
        assert f'href="{reverse(url_name)}"' not in html
    assert 'id="health-menu"' not in html and 'id="card-appeals"' not in html
    assert f'href="{reverse("fieldwork:mine")}"' in html and 'id="card-my-tasks"' in html


def test_a_new_area_plugs_in_by_declaring_alone(city, officer, worker_a, widgets_area):
    worker_b_and_a = staff(GRID_WORKER, city.grid_b)
    RoleAssignment.objects.create(
        user=worker_b_and_a, role=GRID_WORKER, region=city.grid_a, region_path=city.grid_a.path
    )
    html = signed_in(worker_b_and_a).get(reverse("core:home")).content.decode()
    assert "小部件" in html and 'id="card-widgets"' in html
    assert html.split('id="card-widgets"', 1)[1].split("</section>", 1)[0].count(">7<") == 1
    officer_html = signed_in(officer).get(reverse("core:home")).content.decode()
    assert "小部件" not in officer_html and 'id="card-widgets"' not in officer_html
    assert can(worker_a, WIDGET, VIEW) and not can(officer, WIDGET, VIEW)


def test_a_role_an_area_declares_can_be_granted_without_a_migration(city, superuser, widgets_area):
    assert "operator" in role_codes()
    field = RoleAssignment._meta.get_field("role")
    assert "operator" in dict(field.choices)
    assert "operator" in dict(StaffCreateForm(actor=superuser).fields["role"].choices)


def test_the_matrix_built_from_the_declarations_keeps_every_grant():
    matrix = permissions.MATRIX
    assert matrix[OFFICER]["person"] == frozenset(permissions.ACTIONS)
    assert matrix["lab"] == {"lab_tube": frozenset({"view", "add", "change"})}
    assert "sample" not in matrix["volunteer"]
    assert set(permissions.resources()) == {
        "audit", "staff", "region", "household", "person", "fact", "zone", "policy", "appeal",
        "decision", "code", "venue", "scan", "checkin", "guardianship", "campaign", "sample",
        "lab_tube", "task", "isolation_order", "isolation_site", "transfer", "investigation",
        "contact", "supply_pass", "supply_request", "supply_catalogue",
        "market_point", "price_report", "market_light", "market_rules",
        "hotline_ticket", "hotline_setup",
        "sweep", "sweep_visit",
        "notice", "notice_reach", "hotline_problem_list", "enterprise", "employee",
        "command_figures", "command_briefings", "command_briefing_template",
    }  # fmt: skip


def test_an_officer_still_cannot_grant_an_administrator(city, officer):
    offered = grantable_roles(officer, city.grid_a.path)
    assert "admin" not in offered and "commander" not in offered
    assert {"officer", "grid_leader", "grid_worker", "volunteer"} <= set(offered)


def test_grid_leaders_get_assign_and_workers_my_tasks_in_the_menu(city, leader_a, worker_a):
    leader = signed_in(leader_a).get(reverse("people:person-list")).content.decode()
    worker = signed_in(worker_a).get(reverse("people:person-list")).content.decode()
    assert f'href="{reverse("fieldwork:list")}"' in leader
    assert f'href="{reverse("fieldwork:mine")}"' not in leader
    assert f'href="{reverse("fieldwork:mine")}"' in worker
    assert f'href="{reverse("fieldwork:list")}"' not in worker


def test_a_group_with_one_link_for_the_user_is_a_plain_link(city):
    sampler = staff("sampler", city.grid_a)
    html = signed_in(sampler).get(reverse("people:person-list")).content.decode()
    assert 'id="screening-menu"' in html
    lab = staff("lab", city.province)
    html = signed_in(lab).get(reverse("screening:lab")).content.decode()
    assert 'id="screening-menu"' not in html
    assert f'<a class="nav-link" href="{reverse("screening:lab")}">' in html


def test_the_officers_card_counts_open_tasks_and_names_the_overdue(city, officer):
    due = timezone.now() + datetime.timedelta(hours=4)
    for person in (city.person_a, city.person_b):
        fieldwork.create_task(actor=officer, kind="home_sampling", person=person, due_at=due)
    overdue = fieldwork.create_task(
        actor=officer, kind="follow_up_visit", person=city.person_a, due_at=due
    )
    type(overdue).objects.filter(pk=overdue.pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    card = _card(signed_in(officer).get(reverse("core:home")), "tasks-to-assign")
    assert ">3<" in card and "1 项已超期" in card
    assert "?status=open" in card


def _card(response, key: str) -> str:
    html = response.content.decode()
    assert f'id="card-{key}"' in html, key
    return html.split(f'id="card-{key}"', 1)[1].split("</section>", 1)[0]


def test_fangyi_check_finds_slips_in_an_area_declaration(registry):
    from fangyi.core.checks import area_declarations

    assert area_declarations() == []
    register(
        Area(
            name="slips",
            grants={WIDGET: {"opertor": frozenset({VIEW})}},
            nav=(NavLink(gettext_lazy("小部件"), "no-such-page", group="nowhere"),),
            cards=(
                Card(
                    key="slips",
                    title=gettext_lazy("待办小部件"),
                    empty=gettext_lazy("没有小部件。"),
                    url_name="core:audit-log",
                    roles=frozenset({GRID_WORKER}),
                    shown_to=(WIDGET, VIEW),
                    compute=f"{__name__}.no_such_function",
                ),
            ),
        )
    )
    assert {error.id for error in area_declarations()} == {
        "fangyi.E001",
        "fangyi.E002",
        "fangyi.E003",
        "fangyi.E004",
    }


def test_a_grant_of_an_unknown_action_is_refused(registry):
    with pytest.raises(ImproperlyConfigured):
        register(Area(name="slips", grants={WIDGET: {GRID_WORKER: frozenset({"fly"})}}))
