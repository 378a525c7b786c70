from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from tenants.api.base import TenantScopedViewSet
from tenants.api.filters import MemberFilter
from tenants.api.schema import problem_responses
from tenants.api.serializers import MemberRoleSerializer, MemberSerializer
from tenants.api.views.common import validated
from tenants.models import Membership
from tenants.services import change_member_role, remove_member

_OWNER_RULES = "Only owners make, unmake or remove owners; the last owner can't be demoted or removed."


@extend_schema_view(
    list=extend_schema(summary="List the tenant's members"),
    retrieve=extend_schema(summary="One member"),
    partial_update=extend_schema(
        summary="Change a member's role",
        description=_OWNER_RULES,
        request=MemberRoleSerializer,
        responses={200: MemberSerializer, **problem_responses(conflict="The last owner can't be demoted.")},
    ),
    destroy=extend_schema(summary="Remove a member from the tenant", description=_OWNER_RULES, responses={204: None}),
)
class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    queryset = Membership.objects.select_related("user")
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    read_scope, read_permission = "members:read", "members.view"
    write_scope, write_permission = "members:write", "members.manage"
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def partial_update(self, request, *args, **kwargs):
        data = validated(MemberRoleSerializer, request.data)
        membership = change_member_role(actor=self.principal, membership=self.get_object(), role=data["role"])
        return Response(MemberSerializer(membership).data)

    def destroy(self, request, *args, **kwargs):
        remove_member(actor=self.principal, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
