from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.api import problem
from portal.members.selectors import member_for_user
from portal.notifications.selectors import message_unread_count


def home(request):
    context = {}
    if request.user.is_authenticated:
        context["member"] = member_for_user(user=request.user)
        context["unread"] = message_unread_count(user=request.user)
    return render(request, "frontend/home.html", context)


def _is_api(request) -> bool:
    return request.path.startswith(("/api/", "/_allauth/"))


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse(problem(status_code=404, detail=_("Not found.")), status=404)
    return render(request, "frontend/error.html", {"title": _("Page not found")}, status=404)


def server_error(request):
    if _is_api(request):
        return JsonResponse(problem(status_code=500, detail=_("Something went wrong on our side.")), status=500)
    return render(request, "frontend/error.html", {"title": _("Something went wrong on our side")}, status=500)
