"""Fixtures of the governance tests: staff in each group, an API with versions, specs, and eager
Celery (the review task runs in-process on commit, as with no broker configured)."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from governance import permissions
from governance.models import ApiVersion, LifecycleState, Review, SpecRevision
from governance.services import catalog as catalog_services
from governance.services import reviews as review_services
from tenants.principal import Principal
from tests.factories import UserFactory

SPECS = Path(__file__).resolve().parents[2] / "governance" / "demo_specs"
SYSTEM = Principal.system()


@pytest.fixture(autouse=True)
def eager_celery():
    from config.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def spec(name: str) -> bytes:
    return (SPECS / name).read_bytes()


def _staff(email, group=None):
    user = UserFactory(email=email, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def platform_admin(db):
    return _staff("pat@platform.test", permissions.PLATFORM_ADMINS)


@pytest.fixture
def api_owner(db, payments):
    user = _staff("olga@platform.test", permissions.API_OWNERS)
    permissions.grant_api_owner(user, payments)
    return user


@pytest.fixture
def other_owner(db):
    """In the "API owners" group, but owns no API of these tests."""
    return _staff("otto@platform.test", permissions.API_OWNERS)


@pytest.fixture
def reviewer(db, payments):
    user = _staff("rita@platform.test", permissions.GOVERNANCE_REVIEWERS)
    permissions.grant_api_reviewer(user, payments)
    return user


@pytest.fixture
def payments(db):
    with transaction.atomic():
        return catalog_services.create_api(actor=SYSTEM, slug="payments", name="Payments")


def make_version(api, label, state=LifecycleState.DRAFT, document=None, base_path=None) -> ApiVersion:
    """A version in `state`, with `document` published (written directly: lifecycle tests test
    the transitions themselves)."""
    version = ApiVersion.objects.create(
        api=api, version=label, base_path=base_path or f"/{api.slug}/{label}", state=state
    )
    if document is not None:
        publish_directly(version, document)
    return version


def publish_directly(version, document: bytes) -> SpecRevision:
    import hashlib

    revision = SpecRevision.objects.create(
        version=version,
        document=document.decode(),
        content_hash=hashlib.sha256(document).hexdigest(),
        size=len(document),
        source=SpecRevision.Source.CLI,
    )
    version.published_revision = revision
    version.save(update_fields=["published_revision"])
    return revision


def submit(version, document: bytes, actor=SYSTEM, *, analyse=True) -> Review:
    with transaction.atomic():
        review = review_services.submit_spec(
            actor=actor, version=version, document=document, source=SpecRevision.Source.CLI
        )
    if analyse:
        review_services.analyse_review(review_id=review.pk)
    review.refresh_from_db()
    return review


def decide(review, status="approve", actor=SYSTEM, comment="ok"):
    with transaction.atomic():
        if status == "approve":
            return review_services.approve_review(actor=actor, review=review, comment=comment)
        return review_services.reject_review(actor=actor, review=review, comment=comment)


from tests.governance.deprecation_fixtures import *  # noqa: E402, F403  (deprecations, notices, webhooks)
