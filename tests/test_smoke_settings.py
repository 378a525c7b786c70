import pytest


@pytest.mark.django_db
def test_request_id_is_echoed_when_well_formed_and_replaced_otherwise(client):
    ok = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123-def-456")
    assert ok["X-Request-ID"] == "abc-123-def-456"
    bad = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\r\ninjected")
    assert bad["X-Request-ID"] != "bad id\r\ninjected" and len(bad["X-Request-ID"]) == 32
