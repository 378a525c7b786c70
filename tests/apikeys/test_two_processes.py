"""Revoking, rotating or suspending takes effect on the very next request in ANOTHER process: a
subprocess verifies the key through its own warm cache while this process changes it."""

import subprocess
import sys
from pathlib import Path

import pytest

from apikeys import services
from apikeys.requestpath import cache, store
from tenants.principal import Principal
from tenants.services import suspend_tenant

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]

SERVER = """
import os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from apikeys.requestpath import verification
for line in sys.stdin:
    print(verification.verify(line.strip()).code, flush=True)
"""


class OtherProcess:
    def __init__(self, env):
        self.child = subprocess.Popen(
            [sys.executable, "-c", SERVER], cwd=ROOT, env=env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )

    def verify(self, raw: str) -> str:
        self.child.stdin.write(raw + "\n")
        self.child.stdin.flush()
        return self.child.stdout.readline().strip()

    def close(self):
        self.child.stdin.close()
        self.child.wait(timeout=30)


@pytest.fixture
def other_process(child_env):
    process = OtherProcess(child_env)
    yield process
    process.close()


def cached(api_key) -> bool:
    value = store.client().get(cache.entry_key(api_key.lookup_id))
    return value is not None and value != cache.TOMBSTONE


def test_revocation_reaches_the_other_process_on_its_next_request(acme, make_key, other_process):
    api_key, raw = make_key(acme)
    assert other_process.verify(raw) == "VALID"
    assert other_process.verify(raw) == "VALID"
    assert cached(api_key)  # the other process answers from its cache now
    services.revoke_key(actor=Principal.system(acme), api_key=api_key)
    assert other_process.verify(raw) == "REVOKED"


def test_rotation_without_overlap_reaches_the_other_process(acme, make_key, other_process):
    api_key, raw = make_key(acme)
    assert other_process.verify(raw) == "VALID"
    new, new_raw = services.rotate_key(actor=Principal.system(acme), api_key=api_key, overlap="now")
    assert other_process.verify(raw) == "REVOKED"
    assert other_process.verify(new_raw) == "VALID"


def test_rotation_with_overlap_keeps_both_keys_working(acme, make_key, other_process):
    api_key, raw = make_key(acme)
    assert other_process.verify(raw) == "VALID"
    _, new_raw = services.rotate_key(actor=Principal.system(acme), api_key=api_key, overlap="1h")
    assert other_process.verify(raw) == "VALID"
    assert other_process.verify(new_raw) == "VALID"


def test_suspension_reaches_the_other_process(acme, make_key, other_process):
    first, first_raw = make_key(acme)
    second, second_raw = make_key(acme)
    assert other_process.verify(first_raw) == other_process.verify(second_raw) == "VALID"
    suspend_tenant(actor=Principal.system(), tenant=acme, reason="fraud")
    assert other_process.verify(first_raw) == "TENANT_SUSPENDED"
    assert other_process.verify(second_raw) == "TENANT_SUSPENDED"
