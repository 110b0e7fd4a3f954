"""Who is calling the API: a bearer token, or a staff member's logged-in browser.

Scripts and other systems send `Authorization: Bearer <token>` (tokens come from
`accounts.services.issue_token`; only their SHA-256 is stored). A page of the site may also
call the API with the browser's session cookie; because a cookie is sent by the browser on its
own, unsafe methods through the session must carry the CSRF token, like a form would.
A request that names a token is judged by that token alone, so a bad token is refused with
401 even in a browser that is logged in.

Rate limits (settings.FANGYI_RATE_LIMITS): an address that sent too many unknown tokens
("token-failures") gets 429 instead of 401 for the next ones, and one staff token is held to
"token-use" requests a window. Only failures are counted per address, so a valid token, above
all a resident's on the busiest path, pays nothing for the limit.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from fangyi.core import ratelimit

from .models import hash_token
from .services import user_for_token


def unknown_token_from(request: HttpRequest) -> None:
    """Counts a token that opened nothing; raises RateLimited once the address sent too many."""
    ratelimit.hit("token-failures", ratelimit.client_address(request))


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token) if token else None
        if user is None:
            unknown_token_from(request)
            return None
        ratelimit.hit("token-use", hash_token(token))
        # Code that reads request.user (logging, axes) then sees the token's owner.
        request.user = user
        return user


class StaffSession(APIKeyCookie):
    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest):
        if "authorization" in request.headers:
            return None
        return super().__call__(request)

    def _get_key(self, request: HttpRequest) -> str | None:
        # The CSRF check waits for authenticate(): a caller with no session at all gets 401.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None):
        if not request.user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, _("CSRF 校验失败：请刷新页面后重试。"))
        return request.user


api_auth = [BearerToken(), StaffSession()]
