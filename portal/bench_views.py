"""Benchmark-only views, routed only when settings.BENCH_BARE_VIEW is on (never in production).

`bare` answers through the whole middleware stack and does nothing else: no database, no DRF, no template.
bench/hot_paths.py measures every hot endpoint against it (docs/benchmarks.md, "hot_paths").
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

BARE_BODY = b'{"status": "ok"}'


@require_GET
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BARE_BODY, content_type="application/json")
