from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's app token for DRF, naming itself in WWW-Authenticate so a missing/invalid token is a 401."""

    def authenticate_header(self, request) -> str:
        return "X-Session-Token"
