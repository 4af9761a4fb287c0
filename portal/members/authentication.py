from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication

from .language import activate_for


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's app token for DRF. Names itself in WWW-Authenticate, so a missing token is a 401, and
    applies the user's saved language (middleware runs before DRF knows who an app user is)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            activate_for(request._request, result[0])
        return result

    def authenticate_header(self, request) -> str:
        return "X-Session-Token"
