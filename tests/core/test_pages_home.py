from django.urls import reverse

from fangyi.accounts.models import RoleAssignment
from tests.support import signed_in

from ..factories import staff


def test_grid_worker_lands_on_their_grid(city, worker_a):
    response = signed_in(worker_a).get(reverse("core:home"))
    assert response.status_code == 302
    assert response.url == reverse("regions:detail", args=[city.grid_a.code])


def test_officer_sees_their_regions_with_counts(city, officer):
    city.street.resident_count, city.street.household_count = 1234, 567
    city.street.save()
    page = signed_in(officer).get(reverse("core:home")).content.decode()
    assert city.street.name in page
    assert "1234" in page and "567" in page
    assert reverse("regions:detail", args=[city.street.code]) in page


def test_worker_of_two_grids_gets_the_overview(city):
    worker = staff("grid_worker", city.grid_a)
    RoleAssignment.objects.create(
        user=worker, role="grid_worker", region=city.grid_b, region_path=city.grid_b.path
    )
    page = signed_in(worker).get(reverse("core:home")).content.decode()
    assert city.grid_a.name in page and city.grid_b.name in page


def test_user_without_assignment_is_told_so(nobody):
    response = signed_in(nobody).get(reverse("core:home"))
    assert response.status_code == 200
    assert "还没有分配辖区" in response.content.decode()


def test_superuser_overview_starts_at_the_roots(city, superuser):
    page = signed_in(superuser).get(reverse("core:home")).content.decode()
    assert reverse("regions:detail", args=[city.province.code]) in page


def test_a_sampler_starts_at_the_sampling_screen_and_a_lab_at_the_lab_screen(city):
    sampler = staff("sampler", city.grid_a)
    lab = staff("lab", city.province)
    assert signed_in(sampler).get(reverse("core:home")).url == reverse("screening:sampling")
    assert signed_in(lab).get(reverse("core:home")).url == reverse("screening:lab")
