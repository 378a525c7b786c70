"""Forms of the self-service pages. They only validate input; the services in tenants.services write.

`apply_service_error` puts what a service refused (a ValidationError keyed by field, or a
ServiceError about the whole request) onto the form, so pages show it where it belongs.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from tenants.models import Application
from tenants.roles import ROLE_RANK, Role, grantable_scopes


def apply_service_error(form: forms.Form, exc: Exception) -> None:
    """Show a service's refusal on `form`: field errors next to their inputs, the rest on top."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            form.add_error(None, exc.messages)
    else:  # ServiceError / NotAllowed: a Problem with a human `detail`
        form.add_error(None, str(getattr(exc, "detail", exc)))


def assignable_roles(principal) -> list[tuple[str, str]]:
    """The roles `principal` may hand out: never above their own, owner only by an owner."""
    own_rank = ROLE_RANK.get(principal.role, 0) if principal.role else max(ROLE_RANK.values())
    return [
        (value, label)
        for value, label in Role.choices
        if ROLE_RANK[value] <= own_rank and (value != Role.OWNER or principal.can("members.manage_owners"))
    ]


class SignInForm(AuthenticationForm):
    """Django's authentication form, labelled for an e-mail login. A text input, not an e-mail
    one: the seeded staff account also signs in as plain `admin` (tenants.backends)."""

    username = forms.CharField(
        label="E-mail address",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That e-mail address and password don't match an account.",
    }


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = assignable_roles(principal)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = assignable_roles(principal)


class InvitationSignUpForm(forms.Form):
    """Create an account for the invited address while accepting (the link proves the address)."""

    full_name = forms.CharField(label="Your name", max_length=150, required=False)
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords differ.")
        elif password1:
            User = get_user_model()
            candidate = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        if get_user_model().objects.filter(email__iexact=self.email).exists():
            raise ValidationError("An account with this e-mail address exists already; sign in to accept.")
        return cleaned

    def save(self):
        return get_user_model().objects.create_user(
            email=self.email, password=self.cleaned_data["password1"], full_name=self.cleaned_data["full_name"]
        )


class OAuthClientForm(forms.Form):
    name = forms.CharField(max_length=255)
    authorization_grant_type = forms.ChoiceField(
        label="Grant type",
        choices=Application.GRANT_TYPES,
        initial=Application.GRANT_CLIENT_CREDENTIALS,
        widget=forms.RadioSelect,
        help_text="Client credentials for a partner's server; authorization code (with PKCE) for an app "
        "that acts for a member.",
    )
    client_type = forms.ChoiceField(
        choices=[
            (Application.CLIENT_CONFIDENTIAL, "Confidential (can keep a secret: a server)"),
            (Application.CLIENT_PUBLIC, "Public (cannot keep a secret: a browser or mobile app)"),
        ],
        initial=Application.CLIENT_CONFIDENTIAL,
        widget=forms.RadioSelect,
    )
    redirect_uris = forms.CharField(
        label="Redirect URIs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://app.example.com/callback"}),
        help_text="One per line. Required for the authorization code grant.",
    )
    allowed_scopes = forms.MultipleChoiceField(
        label="Allowed scopes",
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tokens of this client can carry only these scopes.",
    )

    def __init__(self, *args, role=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the scopes the person's role may hand out; gateway scopes are staff's, in the admin.
        grantable = grantable_scopes(role)
        self.fields["allowed_scopes"].choices = [
            (scope, f"{scope} — {description}")
            for scope, description in settings.API_SCOPES.items()
            if scope in grantable
        ]

    def clean_redirect_uris(self):
        # The toolkit stores them space-separated.
        return " ".join(self.cleaned_data["redirect_uris"].split())


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(required=False)

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "All actions"), *((a, a) for a in actions)]
