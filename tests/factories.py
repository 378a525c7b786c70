"""factory_boy factories for the tenants app; other apps add theirs next to their tests."""

import secrets
from datetime import timedelta

import factory
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from tenants.models import Application, Membership, Tenant, User
from tenants.roles import Role

PASSWORD = "demo-pass-123"


class TenantFactory(factory.django.DjangoModelFactory[Tenant]):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tenant-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.title())


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or PASSWORD)
        if create:
            user.save(update_fields=["password"])


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    tenant = factory.SubFactory(TenantFactory)
    role = Role.VIEWER


class ApplicationFactory(factory.django.DjangoModelFactory[Application]):
    class Meta:
        model = Application

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"client-{n}")
    client_type = Application.CLIENT_CONFIDENTIAL
    authorization_grant_type = Application.GRANT_CLIENT_CREDENTIALS
    allowed_scopes = factory.LazyFunction(lambda: ["tenant:read"])
    algorithm = ""


def issue_token(application: Application, scopes, user=None, expires_in=3600) -> str:
    """An access token row for `application`, as the token endpoint would make it; returns its value."""
    value = secrets.token_urlsafe(30)
    AccessToken = get_access_token_model()
    token = AccessToken(
        application=application,
        user=user,
        scope=" ".join(sorted(scopes)),
        expires=timezone.now() + timedelta(seconds=expires_in),
    )
    from oauth2_provider.models import set_token_value

    set_token_value(token, value)
    token.save()
    return value
