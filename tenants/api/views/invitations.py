from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tenants.api.base import TenantScopedViewSet
from tenants.api.filters import InvitationFilter
from tenants.api.schema import problem_responses
from tenants.api.serializers import InvitationCreateSerializer, InvitationSerializer
from tenants.api.views.common import validated
from tenants.models import Invitation
from tenants.services import invite_member, revoke_invitation

_REVOKE = problem_responses(conflict="The invitation is no longer pending (accepted, revoked or expired).")


@extend_schema_view(
    list=extend_schema(summary="List invitations (all statuses; filter with `status`)"),
    retrieve=extend_schema(summary="One invitation"),
    create=extend_schema(
        summary="Invite someone by e-mail",
        description="Sends a signed, single-use link that expires. Nobody can invite above their own role.",
        request=InvitationCreateSerializer,
        responses={
            201: InvitationSerializer,
            **problem_responses(conflict="Already a member, already invited, or a role above yours."),
        },
    ),
    destroy=extend_schema(
        summary="Revoke an invitation", description="The same as POST .../revoke/.", responses={204: None, **_REVOKE}
    ),
    revoke=extend_schema(
        summary="Revoke an invitation", request=None, responses={200: InvitationSerializer, **_REVOKE}
    ),
)
class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    queryset = Invitation.objects.select_related("invited_by")
    serializer_class = InvitationSerializer
    filterset_class = InvitationFilter
    read_scope, read_permission = "members:read", "members.view"
    write_scope, write_permission = "members:write", "invitations.manage"
    http_method_names = ["get", "post", "delete", "head", "options"]

    def create(self, request, *args, **kwargs):
        data = validated(InvitationCreateSerializer, request.data)
        invitation = invite_member(actor=self.principal, email=data["email"], role=data["role"])
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        revoke_invitation(actor=self.principal, invitation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        invitation = revoke_invitation(actor=self.principal, invitation=self.get_object())
        return Response(InvitationSerializer(invitation).data)
