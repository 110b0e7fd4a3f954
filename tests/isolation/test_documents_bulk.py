"""Release certificates for an officer's list as one PDF: a page per order, in the order
asked; one order that cannot be printed refuses the whole list, and nothing is recorded."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from fangyi.core.models import AccessEvent
from fangyi.isolation.documents import services
from fangyi.isolation.models import OrderState
from tests.factories import PersonFactory

from . import documents_support as support
from .documents_support import read, verified


@pytest.fixture
def released(city):
    neighbour = PersonFactory(household=city.household_a, name="赵子龙")
    return [
        support.order(city.person_b, state=OrderState.RELEASED),
        support.order(city.person_a, state=OrderState.RELEASED, kind="home"),
        support.order(neighbour, state=OrderState.RELEASED, kind="home_monitoring"),
    ]


def test_one_page_per_order_in_the_order_asked(city, officer, released):
    printed = services.print_releases(
        actor=officer, order_ids=[str(order.pk) for order in released]
    )
    pages, codes = read(printed.pdf)
    assert len(pages) == len(codes) == 3
    names = ["李*英", "王*明", "赵*龙"]
    for page, code, name, order in zip(pages, codes, names, released, strict=True):
        assert name in page and "解除隔离证明" in page
        claims = verified(code)
        assert (claims["name"], claims["order_kind"]) == (name, order.kind)
    assert AccessEvent.objects.filter(reason="批量打印解除隔离证明").count() == 3


def test_an_order_asked_twice_is_printed_once(officer, released):
    ids = [released[0].pk, released[0].pk, released[1].pk]
    pages, _codes = read(services.print_releases(actor=officer, order_ids=ids).pdf)
    assert len(pages) == 2


def test_one_order_not_released_refuses_the_list(city, officer, released):
    released[1].state = OrderState.EXTENDED
    released[1].save()
    with pytest.raises(ValidationError) as refused:
        services.print_releases(actor=officer, order_ids=[order.pk for order in released])
    assert refused.value.message_dict["orders"] == [
        "只有已解除的隔离令才能打印解除隔离证明；尚未解除：王*明。"
    ]
    assert not AccessEvent.objects.exists()


def test_an_order_outside_the_region_is_as_unknown_as_a_missing_one(worker_a, released):
    ids = [released[1].pk, released[0].pk, uuid.uuid4()]
    with pytest.raises(ValidationError) as refused:
        services.print_releases(actor=worker_a, order_ids=ids)
    assert refused.value.message_dict["orders"] == ["有 2 个隔离令不存在或不在您的辖区内。"]
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize(
    "ids, message",
    [
        ([], "请至少选择一个隔离令。"),
        (["not-a-uuid"], "隔离令编号格式不正确。"),
        ([str(uuid.uuid4())] * (services.MAX_BULK + 1), "一次最多打印 100 份，请分批打印。"),
    ],
)
def test_lists_that_cannot_be_printed(officer, ids, message):
    with pytest.raises(ValidationError) as refused:
        services.print_releases(actor=officer, order_ids=ids)
    assert refused.value.message_dict["orders"] == [message]
