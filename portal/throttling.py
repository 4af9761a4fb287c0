"""DRF throttles keyed on portal.client_ip, so they agree with allauth's login limits on who the client is."""

from rest_framework import throttling

from portal.client_ip import client_ip


class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_ident(self, request):
        return client_ip(request)


class UserRateThrottle(throttling.UserRateThrottle):
    def get_ident(self, request):
        return client_ip(request)
