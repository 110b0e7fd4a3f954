"""我的配送 on a volunteer's phone: the deliveries they claimed and the pool of their grid with
"我来送"; the second claimer is told someone was quicker; a claim can be given back."""

from django.urls import reverse

from fangyi.fieldwork.models import Task
from tests.support import signed_in

URL = "fieldwork:deliveries"


def test_the_page_shows_the_pool_then_the_claim(delivery_a, delivery_b, volunteer_a):
    phone = signed_in(volunteer_a)
    page = phone.get(reverse(URL)).content.decode()
    assert f'id="pool-{delivery_a.pk}"' in page and str(delivery_b.pk) not in page
    assert "我来送" in page and "您还没有认领配送。" in page
    response = phone.post(reverse("fieldwork:claim", args=[delivery_a.pk]), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse(URL)
    assert "已认领" in page and f'id="task-{delivery_a.pk}"' in page
    assert f'id="pool-{delivery_a.pk}"' not in page


def test_the_second_claimer_is_told_on_the_page(delivery_a, volunteer_a, worker_a2):
    signed_in(volunteer_a).post(reverse("fieldwork:claim", args=[delivery_a.pk]))
    response = signed_in(worker_a2).post(
        reverse("fieldwork:claim", args=[delivery_a.pk]), follow=True
    )
    assert "手慢了：该任务已被他人认领。" in response.content.decode()
    assert Task.objects.get(pk=delivery_a.pk).assignee == volunteer_a


def test_a_delivery_of_another_grid_cannot_be_claimed_from_a_page(delivery_b, volunteer_a):
    response = signed_in(volunteer_a).post(reverse("fieldwork:claim", args=[delivery_b.pk]))
    assert response.status_code == 404
    assert Task.objects.get(pk=delivery_b.pk).assignee is None


def test_the_claimer_gives_it_back_from_the_task_page(delivery_a, volunteer_a):
    phone = signed_in(volunteer_a)
    phone.post(reverse("fieldwork:claim", args=[delivery_a.pk]))
    page = phone.get(reverse("fieldwork:detail", args=[delivery_a.pk])).content.decode()
    assert reverse("fieldwork:unclaim", args=[delivery_a.pk]) in page
    response = phone.post(reverse("fieldwork:unclaim", args=[delivery_a.pk]), follow=True)
    page = response.content.decode()
    assert "已退回，其他人可以认领。" in page and f'id="pool-{delivery_a.pk}"' in page
    assert "认领人退回" in page
