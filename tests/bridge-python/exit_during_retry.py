"""A Python host that exits while the bridge is still retrying an alert in the background.

Run by tests/tests/suite/bridge_ffi.rs against a live server:

    PYTHONPATH=target/bindings/python python3 exit_during_retry.py MODE SERVER_URL DEAD_URL EMAIL PASSWORD

An alert raised with no signal (DEAD_URL: nobody listens) is reported not delivered; the
signal comes back and the background retry delivers it and tells the observer. MODE
`delivered`: the script returns as soon as it is told (the issue's case). MODE `retrying`: a
second alert is raised with no signal first, so the bridge's retry task is still running. Either
way the interpreter releases the bridge as it exits, and the host must exit normally (before
the fix, in `delivered` mode: `FATAL: exception not rethrown`, exit 134, in 8 of 10 runs: the
runtime's shutdown released the host's callbacks from a worker thread of a finalizing
interpreter).

Prints one JSON line with the delivered alert's id.
"""

import asyncio
import json
import os
import sys
import tempfile

import fieldline_bridge as fb


class SecureStorage(fb.TokenStore):
    def __init__(self):
        self.token = None

    def refresh_token_changed(self, refresh_token):
        self.token = refresh_token


class Observer(fb.AlertObserver):
    def __init__(self):
        self.delivered = []

    def alert_delivered(self, alert_id):
        self.delivered.append(alert_id)


def check(cond, what):
    if not cond:
        raise SystemExit(f"check failed: {what}")


async def main(mode, server, dead, email, password):
    db = os.path.join(tempfile.mkdtemp(), "phone.db")
    bridge = fb.Bridge(server, db, os.urandom(32), SecureStorage())
    observer = Observer()
    bridge.set_alert_observer(observer)
    await bridge.login(email, password)

    bridge.set_server_url(dead)
    first = await bridge.raise_alert("next_of_kin", None, None)
    check(not first.is_delivered(), f"not delivered with no signal: {first}")

    bridge.set_server_url(server)
    for _ in range(1200):
        if observer.delivered:
            break
        await asyncio.sleep(0.05)
    check(observer.delivered == [first.alert_id], f"delivered by the retry: {observer.delivered}")

    if mode == "retrying":
        # No signal again: this one is still being retried when the host exits.
        bridge.set_server_url(dead)
        second = await bridge.raise_alert("next_of_kin", None, None)
        check(not second.is_delivered(), f"not delivered with no signal: {second}")
    print(json.dumps({"alert_id": first.alert_id}), flush=True)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
