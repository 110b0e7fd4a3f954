"""The employee answers a link on the resident portal: confirm or decline, only their own."""

from fangyi.enterprises.models import Employment
from tests.enterprises.support import employ, enterprise_with_account
from tests.support import resident_client


def test_the_employee_confirms_on_the_portal(city, officer):
    enterprise, account = enterprise_with_account(officer, city.street)
    link = employ(account, enterprise, city.person_a, confirm=False)
    portal = resident_client(city.person_a)

    page = portal.get("/enterprises/me/").content.decode()
    assert enterprise.name in page
    portal.post("/enterprises/me/", {"link": str(link.pk), "answer": "confirm"})

    link.refresh_from_db()
    assert link.state == Employment.State.CONFIRMED


def test_no_one_answers_someone_else_s_link(city, officer):
    enterprise, account = enterprise_with_account(officer, city.street)
    link = employ(account, enterprise, city.person_a, confirm=False)

    resident_client(city.person_b).post(
        "/enterprises/me/", {"link": str(link.pk), "answer": "confirm"}
    )

    link.refresh_from_db()
    assert link.state == Employment.State.PENDING
    assert (
        enterprise.name
        not in resident_client(city.person_b).get("/enterprises/me/").content.decode()
    )
