"""A local HTTP receiver for webhook tests: records each request; answers what the test says; checks
signatures as a tenant's receiver would, with the `standardwebhooks` package."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import standardwebhooks


class Receiver:
    def __init__(self, status=204, headers=None, body=b""):
        self.status, self.headers, self.body = status, headers or {}, body
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)}
                )
                self.send_response(receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(receiver.body)))
                self.end_headers()
                self.wfile.write(receiver.body)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def verified(self, secret: str) -> list:
        """The payload of every request received, each verified against `secret` with
        standardwebhooks.Webhook(...).verify (WebhookVerificationError for one that isn't signed so)."""
        return [standardwebhooks.Webhook(secret).verify(r["body"], r["headers"]) for r in self.requests]

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
