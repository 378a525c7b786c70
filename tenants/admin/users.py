"""Staff console: people. The login is the e-mail address; there is no username."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import transaction

from tenants import audit
from tenants.admin.staff import AcrossTenantsMixin, StaffAuditMixin, staff_principal
from tenants.models import Membership, User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MembershipOfUserInline(AcrossTenantsMixin, admin.TabularInline):
    """Where this person belongs. Read-only: roles change on the membership page, through the
    service that guards the last owner."""

    model = Membership
    fk_name = "user"
    fields = ("tenant", "role", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tenant", "user")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(StaffAuditMixin, DjangoUserAdmin):
    audit_name = "user"
    form = UserEditForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("full_name",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "usable_password", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "full_name", "is_staff", "is_superuser", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    inlines = [MembershipOfUserInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # nobody belongs to it before it exists

    def user_change_password(self, request, id, form_url=""):
        # The password page saves outside save_model; record the change (never the value) with it.
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, id)
                audit.record(
                    action="user.password_set",
                    actor=staff_principal(request),
                    target=user,
                    changes={"password": "changed"},
                )
        return response
