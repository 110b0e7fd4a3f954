"""The demo's 12345 hotline: the handling units of the first street and its communities and
the city's health commission, the rules that route to them, and a week of tickets in every
state, taken in, worked, called back and escalated through the hotline's services, so that
the inbox, the overdue board, the callback queue and a ticket's page have something to show;
and the day's problem list of each day of that week.

The tickets were received over the past seven days (their limits count from then); the
events of their work carry the time the seed ran. Each day's problem lists are made as the
morning job made them that day, from the tickets received by then (an open ticket counts as
overdue by the state it is in now), answered in the afternoon and closed the next morning."""

import dataclasses
import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fangyi.accounts.models import User
from fangyi.core import permissions
from fangyi.core.paths import under
from fangyi.hotline import services
from fangyi.hotline.area import OPERATOR
from fangyi.hotline.clock import BEIJING
from fangyi.hotline.models import (
    Callback,
    CallbackState,
    Category,
    HandlingUnit,
    Outcome,
    ProblemList,
    RoutingRule,
    State,
    Ticket,
)
from fangyi.hotline.problems import services as problems
from fangyi.people.models import Person
from fangyi.regions.models import Level, Region

from .staff import _first_region

HEALTH_COMMISSION = "demo-health-commission"

# category, urgency, description, what becomes of it, days ago
CALLS = [
    ("medicines", "urgent", "封控楼栋，家中老人降压药只剩一天的量。", "closed", 6.5),
    ("food", "normal", "小区封控第三天，家里米面快吃完了，能否代购。", "closed", 6),
    ("utilities", "normal", "楼里暖气不热，室温只有十四度。", "closed", 5.5),
    ("testing", "normal", "昨天做的核酸到现在还查不到结果。", "not_satisfied", 5),
    ("health_code", "normal", "健康码显示黄码，但近十四天没有去过风险地区。", "resolved", 4),
    ("passes", "normal", "在医院上班，需要开具出入小区的通行证明。", "resolved", 3.5),
    ("quarantine_complaint", "normal", "隔离点房间没有热水，反映两天无人处理。", "accepted", 3),
    ("food", "normal", "独居老人不会网上买菜，请社区帮忙。", "accepted", 2),
    ("other", "normal", "楼下垃圾三天没有清运。", "returned", 2),
    ("hospital_line", "urgent", "家人黄码，发烧三十九度，需要去发热门诊。", "dispatched", 1.2),
    ("psychological", "normal", "长期居家隔离，睡不着觉，想找人聊聊。", "dispatched", 1),
    ("medicines", "urgent", "孩子哮喘，雾化药用完了。", "dispatched", 0.3),
    ("food", "normal", "请问团购的蔬菜包什么时候送到。", "new", 0.1),
    ("food", "normal", "我是那位独居老人的邻居，老人家里没有菜了。", "merged", 1.9),
]


# The days of the demo's problem lists: the week the tickets were received in, today last.
LIST_DAYS = 7
# Put on the first district's list by hand each day, "fix today", for the first community's
# team; the lists before today's say it was fixed.
BY_HAND = [
    ("督促清运封控小区积压的生活垃圾", "已协调环卫车辆当日清运完毕。"),
    ("为独居老人配送蔬菜包", "社区志愿者已送菜上门。"),
    ("核酸检测点排队过长，增设采样台", "已增设两个采样台。"),
]
# What is said of the first two automatic items of an older list, one fixed and one not,
# the first of them fixed on one day and not on the next.
ANSWERS = [
    (Outcome.FIXED, "已逐件回复来电人，诉求均已办理。"),
    (Outcome.NOT_FIXED, "涉及跨部门协调，明日继续跟进。"),
]


@dataclasses.dataclass
class HotlineSeed:
    units: int
    rules: int
    tickets: dict[str, int]
    overdue: int
    callbacks_pending: int
    problem_lists: int


def _login(username: str) -> User:
    return User.objects.get(username=username)


def seed_hotline(*, now: datetime.datetime | None = None) -> HotlineSeed:
    """Creates the units, rules and a week of tickets once. Needs the demo staff."""
    now = now or timezone.now()
    admin = _login(permissions.ADMIN)
    with transaction.atomic():
        if not HandlingUnit.objects.filter(code=HEALTH_COMMISSION).exists():
            _units_and_rules(admin)
            _tickets(admin, now)
            _problem_lists(now)
        services.escalate_due(now=now)
    tickets = Ticket.objects.filter(under("region_path", _first_region(Level.CITY).path))
    counts = dict.fromkeys(State.values, 0)
    for state in tickets.values_list("state", flat=True):
        counts[state] += 1
    return HotlineSeed(
        units=HandlingUnit.objects.count(),
        rules=RoutingRule.objects.count(),
        tickets=counts,
        overdue=tickets.open().filter(due_at__lt=now).count(),
        callbacks_pending=Callback.objects.filter(state=CallbackState.PENDING).count(),
        problem_lists=ProblemList.objects.count(),
    )


def _units_and_rules(admin) -> None:
    """The first street's team (the officer), a team per community of it (the grid leader
    and worker in the first one, the officer supervising), and the city's health commission
    for medical help; medical help goes to the commission, everything else to the team of
    the community it is in, or of the street where no community is known."""
    city = _first_region(Level.CITY)
    street = _first_region(Level.STREET)
    officer = _login(permissions.OFFICER)
    grid_staff = [_login(permissions.GRID_LEADER), _login(permissions.GRID_WORKER)]
    services.create_unit(
        actor=admin,
        code=HEALTH_COMMISSION,
        name=f"{city.name}卫健委",
        kind="department",
        region=city,
        phone="12320",
        members=[officer],
        supervisors=[officer],
    )
    services.create_unit(
        actor=admin,
        code=f"team-{street.code}",
        name=f"{street.name}专班",
        kind="street",
        region=street,
        members=[officer],
        supervisors=[officer],
    )
    communities = Region.objects.filter(under("path", street.path), level=Level.COMMUNITY)
    first_community = _first_region(Level.COMMUNITY)
    for community in communities.order_by("path"):
        services.create_unit(
            actor=admin,
            code=f"team-{community.code}",
            name=f"{community.name}专班",
            kind="community",
            region=community,
            members=grid_staff if community.pk == first_community.pk else [officer],
            supervisors=[officer],
        )
    services.create_rule(actor=admin, region=street, place_level="community")
    services.create_rule(
        actor=admin,
        region=city,
        category=Category.objects.get(code="medical"),
        unit=HandlingUnit.objects.get(code=HEALTH_COMMISSION),
    )
    services.create_rule(actor=admin, region=city, place_level="street")


def _tickets(admin, now: datetime.datetime) -> None:
    operator = _login(OPERATOR)
    # The grid of the demo's grid staff, who work its community's team's tickets.
    path = _first_region(Level.GRID).path
    callers = list(
        Person.objects.filter(under("region_path", path)).exclude(phone="").order_by("id")[:20]
    )
    for index, (code, urgency, description, outcome, days_ago) in enumerate(CALLS):
        caller = callers[index % len(callers)] if callers else None
        region = (
            Region.objects.get(path=caller.region_path) if caller else _first_region(Level.GRID)
        )
        ticket = services.intake(
            actor=operator,
            channel="phone" if index % 3 else "chat",
            category=Category.objects.get(code=code),
            description=description,
            region=region,
            urgency=urgency,
            caller=services.CallerInput(person=caller),
            received_at=now - datetime.timedelta(days=days_ago),
            dispatch_now=outcome != "new",
        )
        if outcome == "merged":
            # The neighbour's call repeats the lone elder's, which is still being worked.
            into = Ticket.objects.filter(category__code="food", state=State.ACCEPTED).earliest(
                "received_at"
            )
            services.merge(actor=operator, ticket=ticket, into=into)
            continue
        _work(ticket, outcome, operator)


def _work(ticket: Ticket, outcome: str, operator) -> None:
    if outcome in ("new", "dispatched"):
        return
    member = _member_of(ticket.unit_id)
    if outcome == "returned":
        services.return_ticket(actor=member, ticket=ticket, reason="不属于本社区，应由环卫所处理。")
        return
    services.accept(actor=member, ticket=ticket)
    services.add_note(actor=member, ticket=ticket, note="已电话联系来电人，正在协调。")
    if outcome == "accepted":
        return
    services.resolve(actor=member, ticket=ticket, text="已按来电人诉求办理完毕。")
    if outcome == "resolved":
        return
    callback = Callback.objects.get(ticket=ticket, state=CallbackState.PENDING)
    if outcome == "not_satisfied":
        services.record_callback(
            actor=operator, callback=callback, result="not_satisfied", note="结果还是查不到。"
        )
        return
    services.record_callback(actor=operator, callback=callback, result="satisfied")


def _at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BEIJING)


def _problem_lists(now: datetime.datetime) -> None:
    """Each day of the week, oldest first: the morning job's lists (which close the day
    before's: what was not answered stays not fixed), an item put on the first district's
    list by hand, and, on the days before today, the afternoon's answers."""
    commander = _login(permissions.COMMANDER)
    city = _first_region(Level.CITY)
    district = _first_region(Level.DISTRICT)
    team = HandlingUnit.objects.get(code=f"team-{_first_region(Level.COMMUNITY).code}")
    today = problems.beijing_today(now)
    for offset in range(LIST_DAYS - 1, -1, -1):
        day = today - datetime.timedelta(days=offset)
        morning = min(_at(day, settings.FANGYI_HOTLINE_PROBLEM_LIST_HOUR, 30), now)
        problems.make_day_lists(now=morning)
        title, note = BY_HAND[offset % len(BY_HAND)]
        by_hand = problems.add_item(
            actor=commander,
            problem_list=ProblemList.objects.get(region=district, day=day),
            title=title,
            unit=team,
            fix_today=True,
            now=morning,
        )
        if offset == 0:
            continue
        afternoon = _at(day, 17, 30)
        problems.set_outcome(
            actor=_member_of(team.pk), item=by_hand, outcome=Outcome.FIXED, note=note, now=afternoon
        )
        lists = ProblemList.objects.filter(under("region_path", city.path), day=day)
        for problem_list in lists.order_by("region_path"):
            automatic = problem_list.items.exclude(pk=by_hand.pk).order_by("kind", "key")
            answers = ANSWERS[offset % 2 :] + ANSWERS[: offset % 2]
            for item, (outcome, note) in zip(automatic, answers, strict=False):
                problems.set_outcome(
                    actor=_member_of(item.unit_id) if item.unit_id else commander,
                    item=item,
                    outcome=outcome,
                    note=note,
                    now=afternoon,
                )


def _member_of(unit_id) -> User:
    return User.objects.filter(hotline_units=unit_id).order_by("username")[0]
