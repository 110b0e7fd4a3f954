"""A person sampled in this round already is added again only when the sampler confirms: the
service and the API refuse with the reason (when, which tube), the page asks and posts again."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fangyi.codes import services as codes
from fangyi.core.audit import ObjectChange
from fangyi.screening.lab import services as lab
from fangyi.screening.models import Sample
from fangyi.screening.sampling import services as sampling_services
from tests.support import client_for, send, signed_in

from .lab_support import filled_tube, lab_user, residents, result

pytestmark = pytest.mark.django_db

TUBES = "/api/v1/screening/tubes"
ADD = reverse("screening:sampling-add")


def _open(sampler, site, round_now, barcode, size=5):
    return sampling_services.open_tube(
        actor=sampler, barcode=barcode, site=site, round=round_now, pool_size=size
    )


def _sampled_earlier(city, sampler, site):
    """person_a in a closed tube of the round, 30 minutes ago."""
    return filled_tube(sampler, site, "R0001", [city.person_a])


def test_the_service_warns_then_adds_when_confirmed(city, sampler, site, round_now):
    earlier = _sampled_earlier(city, sampler, site)
    tube = _open(sampler, site, round_now, "R0002")
    with pytest.raises(ValidationError) as refused:
        sampling_services.add_to_tube(actor=sampler, tube=tube, person=city.person_a)
    message = refused.value.message_dict["confirm_repeat"][0]
    swab = timezone.localtime(earlier.samples.get().sampled_at).strftime("%m-%d %H:%M")
    assert "R0001" in message and swab in message
    assert Sample.objects.filter(tube=tube).count() == 0
    sample = sampling_services.add_to_tube(
        actor=sampler, tube=tube, person=city.person_a, confirm_repeat=True
    )
    assert sample.tube == tube
    assert Sample.objects.filter(person=city.person_a, round=round_now).count() == 2
    # Audit as for any sample: one created row for it.
    assert ObjectChange.objects.filter(object_id=str(sample.pk)).count() == 1


def test_no_warning_for_a_resample_after_an_invalid_tube_or_a_retest_of_a_positive_pool(
    city, sampler, site, round_now
):
    invalid = filled_tube(sampler, site, "R0010", [city.person_a])
    pooled = filled_tube(sampler, site, "R0011", [city.person_b, *residents(city, 4)])
    lab.record_results(
        actor=lab_user(city),
        items=[result(invalid.barcode, "invalid"), result(pooled.barcode, "positive")],
    )
    again = _open(sampler, site, round_now, "R0012", size=1)
    sampling_services.add_to_tube(actor=sampler, tube=again, person=city.person_a)
    retest = _open(sampler, site, round_now, "R0013", size=1)
    sampling_services.add_to_tube(actor=sampler, tube=retest, person=city.person_b)
    assert Sample.objects.filter(tube__barcode__in=["R0012", "R0013"]).count() == 2


def test_the_api_answers_422_naming_the_tube_until_confirmed(city, sampler, site, round_now):
    _sampled_earlier(city, sampler, site)
    client = client_for(sampler)
    send(client, "post", TUBES, {"barcode": "R0003", "site": str(site.pk), "pool_size": 5})
    body = {"person": str(city.person_a.pk)}
    refused = send(client, "post", f"{TUBES}/R0003/samples", body)
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert error["field"] == "confirm_repeat" and "R0001" in error["message"]
    added = send(client, "post", f"{TUBES}/R0003/samples", body | {"confirm_repeat": True})
    assert added.status_code == 201 and len(added.json()["members"]) == 1


def test_opening_a_tube_with_a_repeated_first_person_asks_too(city, sampler, site, round_now):
    _sampled_earlier(city, sampler, site)
    client = client_for(sampler)
    body = {"barcode": "R0004", "site": str(site.pk), "person": str(city.person_a.pk)}
    refused = send(client, "post", TUBES, body)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "confirm_repeat"
    assert send(client, "post", TUBES, body | {"confirm_repeat": True}).status_code == 201


def test_the_page_asks_and_a_second_post_confirms(city, sampler, site, round_now):
    _sampled_earlier(city, sampler, site)
    _open(sampler, site, round_now, "R0005")
    client = signed_in(sampler)
    code = codes.issue_display_code(person_id=city.person_a.pk).text
    posted = {"site": str(site.pk), "tube": "R0005", "text": code}
    asked = client.post(ADD, posted)
    html = asked.content.decode()
    assert asked.status_code == 409
    assert 'id="repeat-confirm"' in html and "R0001" in html and "确认再次采样" in html
    assert 'name="confirm_repeat" value="1"' in html
    assert not Sample.objects.filter(tube__barcode="R0005").exists()
    confirmed = client.post(ADD, posted | {"confirm_repeat": "1"}, follow=True)
    assert "已加入 王*明。" in confirmed.content.decode()
    assert Sample.objects.filter(tube__barcode="R0005", person=city.person_a).exists()


def test_a_chosen_person_is_confirmed_by_id(city, sampler, site, round_now):
    _sampled_earlier(city, sampler, site)
    _open(sampler, site, round_now, "R0006")
    client = signed_in(sampler)
    posted = {"site": str(site.pk), "tube": "R0006", "person": str(city.person_a.pk)}
    asked = client.post(ADD, posted).content.decode()
    assert f'name="person" value="{city.person_a.pk}"' in asked
    client.post(ADD, posted | {"confirm_repeat": "1"})
    assert Sample.objects.filter(tube__barcode="R0006", person=city.person_a).exists()
