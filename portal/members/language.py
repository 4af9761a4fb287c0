"""Which language a request is answered in.

Order: `?lang=` on the request itself, then the language cookie (the switch), then the signed-in user's
saved language, then Accept-Language (Django's LocaleMiddleware), then zh-hans.
"""

from django.conf import settings
from django.utils import translation

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def language_for(request, user) -> str | None:
    explicit = request.GET.get("lang")
    if explicit in SUPPORTED:
        return explicit
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) in SUPPORTED:
        return None  # LocaleMiddleware already chose it
    if user is not None and user.is_authenticated and user.language in SUPPORTED:
        return user.language
    return None


def activate_for(request, user) -> None:
    language = language_for(request, user)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language
