"""Every declared list endpoint costs the same number of queries for 1 row and for 50 (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import harness

pytestmark = pytest.mark.django_db


def _count_queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 100})  # every row on one page
    return len(captured), len(harness.listed_ids(response))


@pytest.mark.parametrize("credential", ["session", "token"])
@pytest.mark.parametrize("endpoint", harness.list_endpoints())
def test_list_query_count_does_not_grow_with_rows(endpoint, credential, acme, owner):
    client = harness.session_client(owner) if credential == "session" else harness.token_client(acme, user=owner)
    endpoint.make(acme)
    client.get(endpoint.url)  # warm per-process caches (content types, ...) so both counts are alike
    one_row, rows_before = _count_queries(client, endpoint.url)

    for _ in range(49):
        endpoint.make(acme)
    client.get(endpoint.url)  # again: writes to the catalog invalidate the lifecycle enforcement table
    fifty_rows, rows_after = _count_queries(client, endpoint.url)

    assert rows_after >= rows_before + 49  # the second call really served the extra rows
    assert fifty_rows == one_row, f"{endpoint.name}: {one_row} queries for 1 row, {fifty_rows} for 50"
