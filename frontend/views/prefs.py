"""Language and text-size switches: plain POST forms that work without JavaScript."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST

from portal.members.services import user_set_language

from ..context_processors import LARGE_TEXT_COOKIE
from ..utils import safe_next

ONE_YEAR = 365 * 24 * 3600


@require_POST
def set_language(request):
    """Switch the interface language; signed-in users keep it as their saved preference (User.language)."""
    code = request.POST.get("language", "")
    response = HttpResponseRedirect(safe_next(request))
    if code in dict(settings.LANGUAGES) and check_for_language(code):
        if request.user.is_authenticated:
            user_set_language(user=request.user, language=code)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=ONE_YEAR, samesite="Lax",
                            secure=request.is_secure())
    return response


@require_POST
def set_text_size(request):
    response = HttpResponseRedirect(safe_next(request))
    if request.POST.get("large") == "1":
        response.set_cookie(LARGE_TEXT_COOKIE, "1", max_age=ONE_YEAR, samesite="Lax", secure=request.is_secure())
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    return response
