"""POST one webhook to a checked Target, connecting to the checked address only.

- The connection goes to an IP address from `Target.addresses` (the ones ssrf.check_url allowed);
  the name is never resolved again, so a DNS answer that changes between check and connect
  (rebinding) can't redirect the request. The Host header and, for https, the TLS SNI and the
  certificate check use the original host name.
- Redirects are never followed: a 3xx is a failed delivery (its Location is reported, not fetched).
- Short timeouts, one overall deadline, and at most MAX_RESPONSE_BYTES of the answer are read.
"""

import time
from dataclasses import dataclass

import urllib3
from urllib3.exceptions import HTTPError

from governance.webhooks.ssrf import Target

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 5.0
TOTAL_DEADLINE = 10.0
MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "api-governance-console-webhooks/1"


class TransportError(Exception):
    pass


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    location: str = ""


def _pool(target: Target, address: str):
    timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT)
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
        )
    return urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False, maxsize=1)


def _read_capped(response, deadline: float) -> bytes:
    chunks, size = [], 0
    while size < MAX_RESPONSE_BYTES:
        if time.monotonic() > deadline:
            break
        chunk = response.read(min(8192, MAX_RESPONSE_BYTES - size), decode_content=False)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def post(target: Target, body: bytes, headers: dict) -> Answer:
    """Send; try the checked addresses in order until one connects. TransportError if none answers."""
    deadline = time.monotonic() + TOTAL_DEADLINE
    sent_headers = {**headers, "Host": target.host_header, "User-Agent": USER_AGENT}
    last_error = None
    for address in target.addresses:
        pool = _pool(target, address)
        try:
            response = pool.urlopen(
                "POST",
                target.path,
                body=body,
                headers=sent_headers,
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
            try:
                data = _read_capped(response, deadline)
                return Answer(response.status, data, response.headers.get("Location", ""))
            finally:
                response.release_conn()
                response.close()
        except (HTTPError, OSError) as exc:
            last_error = exc
            if time.monotonic() > deadline:
                break
        finally:
            pool.close()
    raise TransportError(f"{type(last_error).__name__}: {last_error}"[:300])
