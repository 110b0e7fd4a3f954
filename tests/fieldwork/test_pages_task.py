"""A task's page: the assignee records it done with a note, or failed with a required reason
after a confirmation page; leaders assign and reopen from it; others get 404."""

import pytest
from django.urls import reverse

from fangyi.fieldwork.models import Task
from tests.support import signed_in


def _url(name, task):
    return reverse(f"fieldwork:{name}", args=[task.pk])


def test_the_assignee_sees_the_result_forms_but_not_the_assign_form(assigned_a, worker_a):
    html = signed_in(worker_a).get(_url("detail", assigned_a)).content.decode()
    assert 'id="complete-form"' in html and _url("fail", assigned_a) in html
    assert 'id="assign-form"' not in html and "王*明" in html
    assert "开始办理" in html


def test_recording_done_with_a_note(assigned_a, worker_a):
    response = signed_in(worker_a).post(_url("complete", assigned_a), {"note": "已采样，管号 A1"})
    assert response.status_code == 302 and response.url == reverse("fieldwork:mine")
    task = Task.objects.get(pk=assigned_a.pk)
    assert task.status == "done" and task.note == "已采样，管号 A1"


def test_starting_marks_the_task_in_hand(assigned_a, worker_a):
    client = signed_in(worker_a)
    assert client.post(_url("start", assigned_a)).status_code == 302
    assert Task.objects.get(pk=assigned_a.pk).started_at is not None
    assert "开始办理</button>" not in client.get(_url("detail", assigned_a)).content.decode()


def test_failing_asks_for_a_reason_and_a_confirmation(assigned_a, worker_a):
    client = signed_in(worker_a)
    confirm = client.get(_url("fail", assigned_a))
    assert confirm.status_code == 200 and "确认无法完成" in confirm.content.decode()
    assert Task.objects.get(pk=assigned_a.pk).status == "assigned"
    empty = client.post(_url("fail", assigned_a), {"reason": "  "})
    assert empty.status_code == 400 and "invalid-feedback" in empty.content.decode()
    assert Task.objects.get(pk=assigned_a.pk).status == "assigned"
    done = client.post(_url("fail", assigned_a), {"reason": "家中无人"})
    assert done.status_code == 302 and done.url == reverse("fieldwork:mine")
    task = Task.objects.get(pk=assigned_a.pk)
    assert task.status == "failed" and task.failure_reason == "家中无人"
    assert client.get(_url("fail", assigned_a)).status_code == 302


def test_a_leader_assigns_and_reopens_from_the_task_page(assigned_a, leader_a, worker_a2):
    client = signed_in(leader_a)
    html = client.get(_url("detail", assigned_a)).content.decode()
    assert 'id="assign-form"' in html and "worker_a2" in html
    response = client.post(_url("assign", assigned_a), {"assignee": str(worker_a2.pk)})
    assert response.status_code == 302
    assert Task.objects.get(pk=assigned_a.pk).assignee == worker_a2
    client.post(_url("complete", assigned_a), {"note": "电话确认"})
    html = client.get(_url("detail", assigned_a)).content.decode()
    assert 'id="reopen-form"' in html and "电话确认" in html
    assert client.post(_url("reopen", assigned_a), {"reason": ""}).status_code == 302
    assert Task.objects.get(pk=assigned_a.pk).status == "assigned"


def test_assigning_to_someone_out_of_reach_is_refused_on_the_form(assigned_a, leader_a, worker_b):
    response = signed_in(leader_a).post(_url("assign", assigned_a), {"assignee": str(worker_b.pk)})
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    assert Task.objects.get(pk=assigned_a.pk).assignee.username == "worker_a"


@pytest.mark.parametrize("who", ["worker_b", "leader_b", "worker_a2"])
def test_others_get_404_for_every_step(assigned_a, who, request):
    client = signed_in(request.getfixturevalue(who))
    assert client.get(_url("detail", assigned_a)).status_code == 404
    assert client.get(_url("fail", assigned_a)).status_code == 404
    for step, data in (
        ("complete", {}),
        ("fail", {"reason": "x"}),
        ("start", {}),
        ("assign", {"assignee": "x"}),
        ("reopen", {}),
    ):
        assert client.post(_url(step, assigned_a), data).status_code == 404
    assert Task.objects.get(pk=assigned_a.pk).status == "assigned"


def test_steps_answer_post_only(assigned_a, worker_a):
    client = signed_in(worker_a)
    for step in ("complete", "start", "assign", "reopen"):
        assert client.get(_url(step, assigned_a)).status_code == 405


def test_a_worker_cannot_reach_the_leader_steps(assigned_a, worker_a, worker_a2):
    client = signed_in(worker_a)
    assert (
        client.post(_url("assign", assigned_a), {"assignee": str(worker_a2.pk)}).status_code == 403
    )
    assert client.post(_url("reopen", assigned_a), {}).status_code == 403


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pages_render_in_both_languages(assigned_a, worker_a, leader_a, language):
    for user in (worker_a, leader_a):
        client = signed_in(user)
        client.cookies["django_language"] = language
        for url in (_url("detail", assigned_a), _url("fail", assigned_a)):
            response = client.get(url)
            assert response.status_code == 200, url
            assert f'<html lang="{language}">' in response.content.decode()
