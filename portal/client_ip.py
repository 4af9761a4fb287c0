"""The client's address, the one way every part of the portal reads it (throttles, login limits, sessions).

`TRUSTED_PROXY_COUNT` says how many reverse proxies under our control sit in front of the app. Each one
appends the address it received the request from to X-Forwarded-For, so the client is the entry
added by the outermost trusted proxy: the N-th from the right. Anything left of it was written by
the client and is ignored; with no trusted proxy the header is ignored entirely.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("X-Forwarded-For", "")
    if count <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    # Fewer hops than proxies: the request entered behind the outermost proxy; the leftmost hop is
    # still one a trusted proxy wrote.
    candidate = hops[-min(count, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote  # a proxy that writes garbage is misconfigured: fall back to the connection
