"""An e-mail backend for tests that run Celery workers as subprocesses: each message becomes a JSON
file in $MAIL_SPOOL_DIR. With $MAIL_SPOOL_BLOCK set it instead writes "blocked" and hangs before
sending anything — a worker caught mid-send, for the test to kill."""

import json
import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class SpoolBackend(BaseEmailBackend):
    def send_messages(self, messages):
        spool = Path(os.environ["MAIL_SPOOL_DIR"])
        for message in messages:
            if os.environ.get("MAIL_SPOOL_BLOCK"):
                (spool / "blocked").write_text(message.subject)
                while True:  # until the test kills this process
                    time.sleep(0.05)
            (spool / f"{uuid.uuid4().hex}.json").write_text(json.dumps({"to": message.to, "subject": message.subject}))
        return len(messages)
