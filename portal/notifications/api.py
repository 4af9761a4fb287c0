from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.filters import query
from portal.serializers import ModelSerializer

from .filters import MessageFilter
from .models import Message
from .selectors import message_list
from .services import message_mark_read


class MessageSerializer(ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at"]


class MessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in user's inbox (`?unread=true` for unread only)."""

    serializer_class = MessageSerializer
    filterset_class = MessageFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Message.objects.none()
        unread = query(MessageFilter, self.request)["unread"] if self.action == "list" else False
        return message_list(user=self.request.user, unread_only=bool(unread))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        message = message_mark_read(message=get_object_or_404(self.get_queryset(), pk=pk))
        return Response(MessageSerializer(message).data)
