from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from portal.api import problem


def is_api(request) -> bool:
    return request.path.startswith(("/api/", "/_allauth/"))


def not_found(request, exception=None):
    if is_api(request):
        return JsonResponse(problem(status_code=404, detail=_("Not found.")), status=404)
    return render(request, "frontend/error.html", {
        "title": _("Page not found"),
        "detail": _("The page does not exist, or it is not yours to see."),
    }, status=404)


def server_error(request):
    if is_api(request):
        return JsonResponse(problem(status_code=500, detail=_("Something went wrong on our side.")), status=500)
    # Rendered without the request: the failure may be in a context processor or the database.
    return HttpResponseServerError(loader.get_template("frontend/error_500.html").render())
