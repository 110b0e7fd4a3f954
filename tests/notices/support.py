"""What the notices tests share: an SMS backend that records what it is given and fails for
the numbers it is told to, and the hand-counted neighbourhood of test_counts and others."""

from types import SimpleNamespace

from fangyi.notices import services
from fangyi.notices.models import PortalResident
from fangyi.regions.services import refresh_counts
from tests.factories import HouseholdFactory, PersonFactory


class RecordingSms:
    """Keeps (phone, message) of each send; raises for the numbers in `failing`."""

    sent: list[tuple[str, str]] = []
    failing: set[str] = set()

    def send(self, phone: str, message: str) -> None:
        if phone in self.failing:
            raise ConnectionError("gateway refused")
        self.sent.append((phone, message))


def reset_sms() -> None:
    RecordingSms.sent = []
    RecordingSms.failing = set()


def neighbourhood(city) -> SimpleNamespace:
    """Four households in the city's two grids, counted by hand:

    grid A, building A: household A (person A, 13800000001; a child without a phone),
                        household C (C1, 13800000003; C2, 13800000004, away)
    grid B, building B: household B (person B, 13900000002),
                        household D (D1, 13900000005, who has logged in to the portal)
    """
    child = PersonFactory(household=city.household_a, name="王小宝", phone="")
    household_c = HouseholdFactory(building=city.building_a, room="102")
    c1 = PersonFactory(household=household_c, name="陈一", phone="13800000003")
    c2 = PersonFactory(
        household=household_c, name="陈二", phone="13800000004", residence_status="away"
    )
    household_d = HouseholdFactory(building=city.building_b, room="203")
    d1 = PersonFactory(household=household_d, name="邓一", phone="13900000005")
    services.remember_portal_resident(d1)
    refresh_counts()
    for region in (city.community, city.grid_a, city.grid_b, city.building_a, city.building_b):
        region.refresh_from_db()
    assert PortalResident.objects.count() == 1
    return SimpleNamespace(
        child=child, household_c=household_c, c1=c1, c2=c2, household_d=household_d, d1=d1
    )
