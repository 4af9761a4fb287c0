"""/favicon.ico: browsers ask for it at the root whatever a page links to; send them to the static file."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    # Temporary redirect: the hashed static name changes when the icon does.
    return HttpResponseRedirect(static("frontend/favicon.ico"))
