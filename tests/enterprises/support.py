"""What the enterprises' tests and the scope world share: valid credit codes, an enterprise
with its account, employees and their tests."""

from stdnum.cn import uscc

from fangyi.enterprises import services
from fangyi.health import services as health


def credit_code(serial: int) -> str:
    """A valid unified social credit code (统一社会信用代码) of a Fuzhou company, by serial."""
    body = f"91350100{serial:09d}"
    return body + uscc.calc_check_digit(body)


def enterprise_with_account(officer, region, serial: int = 1):
    """A registered enterprise of `region` and its account (a member of it)."""
    enterprise = services.register_enterprise(
        actor=officer,
        region=region,
        name=f"测试机械厂{serial}",
        credit_code=credit_code(serial),
        contact_name="陈经理",
        contact_phone="13905910001",
    )
    account = services.open_account(
        actor=officer, enterprise=enterprise, username=f"plant{serial}", password="Kq7!xw-plant"
    )
    return enterprise, account


def employ(account, enterprise, person, *, confirm: bool = True):
    link = services.link_employee(
        actor=account, enterprise=enterprise, id_number=person.id_number, name=person.name
    )
    if confirm:
        link = services.answer_link(person=person, employment_id=link.pk, accept=True)
    return link


def negative_test(officer, person, at):
    return health.record_fact(
        actor=officer,
        source="manual",
        person=person,
        kind="test_result",
        outcome="negative",
        variant="single",
        occurred_at=at,
    )
