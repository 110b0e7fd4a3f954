"""The scanning page's service worker (core's, shared with the sweep sheet) is served from
/checkpoints/, as a script the browser will accept for the page's scope, and checked for updates
on every visit."""

from django.urls import reverse


def test_the_service_worker_is_javascript_allowed_over_the_checkpoint_pages(client):
    response = client.get(reverse("checkpoints:service-worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/checkpoints/"
    assert response["Cache-Control"] == "no-cache"
    assert b'addEventListener("fetch"' in response.content
    # The same script as the sweep sheet's: only the cache, named by the page, differs.
    assert client.get(reverse("sweeps:service-worker")).content == response.content


def test_it_answers_only_get(client):
    assert client.post(reverse("checkpoints:service-worker")).status_code == 405
