"""Open311 GeoReport v2 at /open311/v2/: plain Django views, since the standard fixes its own
formats (every answer in JSON or XML by the path's extension, errors as a list of
{code, description}).

- GET services.{fmt}: the public categories.
- GET services/{code}.{fmt}: a service's definition (no attributes: `metadata` is false).
- GET requests.{fmt}: public tickets, newest first, with the standard filters
  (service_request_id, service_code, start_date, end_date, status) and `page`, `page_size`
  (at most 100).
- POST requests.{fmt}: files a request with a partner's `api_key`.
- GET requests/{id}.{fmt}: one public ticket by its number.

Every request counts against the public per-address rate limit; a wrong key counts against
the limit of failures too, and once that is used up even a right key waits.
"""

import datetime
from typing import Any
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from fangyi.core import ratelimit
from fangyi.core.ratelimit import RateLimited

from ..clock import BEIJING
from ..models import Category
from . import public, services

JSON, XML = "json", "xml"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_PAGE = 1000
MAX_IDS = 100
# Without dates, the standard's default window: the last 90 days.
DEFAULT_DAYS = 90
PUBLIC_LIMIT = "public-address"
KEY_FAILURES = "token-failures"


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _element(parent: ElementTree.Element, name: str, value: Any) -> None:
    child = ElementTree.SubElement(parent, name)
    if value is None:
        return
    if isinstance(value, bool):
        child.text = "true" if value else "false"
    elif isinstance(value, list):
        for entry in value:
            _element(child, "attribute", entry)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _element(child, key, inner)
    else:
        child.text = str(value)


def _xml(root: str, item: str | None, payload: Any) -> bytes:
    tree = ElementTree.Element(root)
    if item is None:
        for key, value in payload.items():
            _element(tree, key, value)
    else:
        for entry in payload:
            _element(tree, item, entry)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(tree, encoding="utf-8")


def _answer(
    fmt: str, payload: Any, *, root: str, item: str | None, status: int = 200
) -> HttpResponse:
    if fmt == XML:
        return HttpResponse(
            _xml(root, item, payload), status=status, content_type="text/xml; charset=utf-8"
        )
    return JsonResponse(
        payload, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )


def _error(fmt: str, status: int, description: str, headers: dict | None = None) -> HttpResponse:
    response = _answer(
        fmt,
        [{"code": status, "description": description}],
        root="errors",
        item="error",
        status=status,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _open311(view):
    """Counts the request against the public limit and answers errors as the standard says."""

    def wrapper(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
        try:
            ratelimit.hit(PUBLIC_LIMIT, ratelimit.client_address(request))
            if any("\x00" in str(value) for value in kwargs.values()):
                raise Open311Error(400, _("请求包含无效字符。"))
            for values in (request.GET, request.POST):
                if any("\x00" in value for _name, given in values.lists() for value in given):
                    raise Open311Error(400, _("请求包含无效字符。"))
            return view(request, *args, fmt=fmt, **kwargs)
        except RateLimited as exc:
            return _error(fmt, 429, exc.message, {"Retry-After": str(exc.retry_after)})
        except Open311Error as exc:
            return _error(fmt, exc.status, exc.description)
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            return _error(fmt, 400, f"{field}: {' '.join(messages)}")

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@require_GET
@_open311
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    payload = [public.service(category) for category in public.public_categories()]
    return _answer(fmt, payload, root="services", item="service")


@require_GET
@_open311
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    category = public.public_categories().filter(code=code[:40]).first()
    if category is None:
        raise Open311Error(404, _("没有这个服务代码。"))
    payload = {"service_code": category.code, "attributes": []}
    return _answer(fmt, payload, root="service_definition", item=None)


def _number(request: HttpRequest, name: str, default: int, largest: int) -> int:
    raw = request.GET.get(name, "")
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= largest:
        raise Open311Error(
            400, _("%(name)s 应为 1 到 %(n)d 的整数。") % {"name": name, "n": largest}
        )
    return int(raw)


def _moment(request: HttpRequest, name: str) -> datetime.datetime | None:
    raw = request.GET.get(name, "")
    if not raw:
        return None
    try:
        moment = parse_datetime(raw.replace(" ", "+"))
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(400, _("%(name)s 应为 W3C 格式的时间。") % {"name": name})
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment


def _listed(request: HttpRequest) -> list:
    tickets = public.public_tickets()
    raw_ids = request.GET.get("service_request_id", "")
    if raw_ids:
        # The standard: given ids, the other filters are ignored.
        ids = [value.strip() for value in raw_ids.split(",") if value.strip()][:MAX_IDS]
        tickets = tickets.filter(number__in=ids)
    else:
        codes = [value.strip() for value in request.GET.get("service_code", "").split(",")]
        codes = [code[:40] for code in codes if code]
        if codes:
            # By id, so that one category's tickets are read from its index (finding in
            # docs/benchmarks.md), not by walking every ticket newest first.
            chosen = Category.objects.filter(code__in=codes).values_list("id", flat=True)
            tickets = tickets.filter(category_id__in=list(chosen))
        statuses = [value.strip() for value in request.GET.get("status", "").split(",")]
        statuses = [status for status in statuses if status]
        if any(status not in ("open", "closed") for status in statuses):
            raise Open311Error(400, _("status 应为 open 或 closed。"))
        if statuses and set(statuses) != {"open", "closed"}:
            tickets = tickets.filter(public.status_condition(statuses))
        start, end = _moment(request, "start_date"), _moment(request, "end_date")
        if start is None and end is None:
            start = timezone.now() - datetime.timedelta(days=DEFAULT_DAYS)
        if start is not None:
            tickets = tickets.filter(received_at__gte=start)
        if end is not None:
            tickets = tickets.filter(received_at__lt=end)
    page = _number(request, "page", 1, MAX_PAGE)
    size = _number(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    rows = public.for_answers(tickets).order_by("-received_at", "-id")[
        (page - 1) * size : page * size
    ]
    return public.requests(list(rows))


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_open311
def request_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, fmt)
    return _answer(fmt, _listed(request), root="service_requests", item="request")


def _submit(request: HttpRequest, fmt: str) -> HttpResponse:
    address = ratelimit.client_address(request)
    ratelimit.check(KEY_FAILURES, address)
    data = request.POST
    key = services.key_for(data.get("api_key", ""))
    if key is None:
        ratelimit.hit(KEY_FAILURES, address)
        raise Open311Error(403, _("api_key 无效。"))
    ticket = services.submit_request(
        key=key,
        service_code=data.get("service_code", ""),
        description=data.get("description", ""),
        address_id=data.get("address_id", ""),
        address_string=data.get("address_string", ""),
        lat=data.get("lat", ""),
        long=data.get("long", ""),
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
        phone=data.get("phone", ""),
    )
    payload = [
        {
            "service_request_id": ticket.number,
            "service_notice": public.notice(ticket.category),
            "account_id": None,
        }
    ]
    return _answer(fmt, payload, root="service_requests", item="request", status=201)


@require_GET
@_open311
def request_detail(request: HttpRequest, number: str, *, fmt: str) -> HttpResponse:
    ticket = public.for_answers(public.public_tickets()).filter(number=number[:24]).first()
    if ticket is None:
        raise Open311Error(404, _("没有这个服务请求。"))
    return _answer(fmt, public.requests([ticket]), root="service_requests", item="request")
