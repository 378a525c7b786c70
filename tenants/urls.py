"""The self-service pages, mounted at /portal/ (namespace "portal")."""

from django.urls import path

from tenants.portal import account, audit, clients, invitations, members

app_name = "portal"

urlpatterns = [
    path("", account.HomeView.as_view(), name="home"),
    path("login/", account.SignInView.as_view(), name="login"),
    path("logout/", account.SignOutView.as_view(), name="logout"),
    path("password-reset/", account.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", account.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path("reset/<uidb64>/<token>/", account.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("reset/done/", account.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("switch/<slug:slug>/", account.SwitchTenantView.as_view(), name="switch-tenant"),
    # Members and invitations
    path("members/", members.MemberListView.as_view(), name="members"),
    path("members/invite/", members.InviteMemberView.as_view(), name="invite"),
    path("members/leave/", members.LeaveTenantView.as_view(), name="leave"),
    path("members/<int:pk>/role/", members.ChangeRoleView.as_view(), name="member-role"),
    path("members/<int:pk>/remove/", members.RemoveMemberView.as_view(), name="member-remove"),
    path("invitations/<int:pk>/revoke/", members.RevokeInvitationView.as_view(), name="invitation-revoke"),
    path("invitations/<str:token>/", invitations.AcceptInvitationView.as_view(), name="accept-invitation"),
    # OAuth clients
    path("clients/", clients.ClientListView.as_view(), name="clients"),
    path("clients/new/", clients.ClientCreateView.as_view(), name="client-create"),
    path("clients/<int:pk>/", clients.ClientDetailView.as_view(), name="client-detail"),
    path("clients/<int:pk>/rotate/", clients.ClientRotateView.as_view(), name="client-rotate"),
    path("clients/<int:pk>/delete/", clients.ClientDeleteView.as_view(), name="client-delete"),
    # Audit trail
    path("audit/", audit.AuditLogView.as_view(), name="audit"),
]
