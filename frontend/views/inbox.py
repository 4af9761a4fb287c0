"""The notification inbox: messages from portal.notifications, marked read one by one or all at once."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.notifications.selectors import message_list, message_unread_count
from portal.notifications.services import message_mark_all_read, message_mark_read

from ..utils import safe_next

PAGE_SIZE = 20


@login_required
def inbox(request):
    page = Paginator(message_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "frontend/inbox.html", {"section": "inbox", "page": page})


@login_required
@require_POST
def message_read(request, pk: int):
    message = get_object_or_404(message_list(user=request.user), pk=pk)
    message_mark_read(message=message)
    if request.htmx:
        # The message in place, and the header's unread badge swapped out of band so both stay in step.
        return render(request, "frontend/includes/message_read.html",
                      {"message": message, "unread": message_unread_count(user=request.user)})
    return redirect(safe_next(request, "frontend:inbox"))


@login_required
@require_POST
def message_read_all(request):
    message_mark_all_read(user=request.user)
    messages.success(request, _("All messages are marked as read."))
    return redirect("frontend:inbox")
