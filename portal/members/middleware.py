from django.utils import translation

from .language import activate_for


class UserLanguageMiddleware:
    """Applies portal.members.language to browser sessions (the API's token auth applies it for apps)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        activate_for(request, getattr(request, "user", None))
        response = self.get_response(request)
        response.headers["Content-Language"] = translation.get_language()
        return response
