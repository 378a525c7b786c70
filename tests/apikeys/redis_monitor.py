"""What the application sends Redis, seen through MONITOR: the request-path tests use it to prove
that a request costs exactly one round trip."""

import threading

from apikeys.requestpath import store

_DONE = "request-path-monitor-done"


def client_commands(prefix: str, action) -> list[str]:
    """The commands clients (not Lua scripts) sent Redis that touch `prefix` while `action()` ran."""
    seen, ready, done = [], threading.Event(), threading.Event()

    def listen():
        with store.client().monitor() as monitor:
            ready.set()
            for command in monitor.listen():
                text = command["command"]
                if text.startswith(f"ECHO {_DONE}"):
                    break
                if prefix in text and command.get("client_type") != "lua":
                    seen.append(text.split()[0].upper())
        done.set()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert ready.wait(5)
    store.client().ping()  # MONITOR is on once its connection answered: a round trip after ready
    action()
    store.client().echo(_DONE)
    assert done.wait(30)  # generous: under load MONITOR lags
    return seen
