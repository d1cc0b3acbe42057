"""A phone app in Python, through the generated UniFFI bindings of mobile-bridge.

Kotlin and Swift compilers are not available in CI; Python exercises the same scaffolding
(the same exported functions, records, errors, callback interfaces and async calls).
Run by tests/tests/suite/bridge_ffi.rs against a live server:

    PYTHONPATH=target/bindings/python python3 phone.py SERVER_URL EMAIL PASSWORD

Prints one JSON line with the ids it made; exits non-zero on any failed check.
"""

import asyncio
import datetime
import json
import os
import sys
import tempfile
import uuid

import fieldline_bridge as fb


class SecureStorage(fb.TokenStore):
    """The Keychain / Keystore stand-in: the only place the refresh token goes."""

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


async def main(server, email, password):
    db = os.path.join(tempfile.mkdtemp(), "phone.db")
    storage = SecureStorage()
    bridge = fb.Bridge(server, db, os.urandom(32), storage)
    bridge.set_alert_observer(Observer())

    # Sign in: the refresh token is handed to secure storage.
    me = await bridge.login(email, password)
    check("advocate" in me.roles, "signed in as an advocate")
    check(storage.token, "refresh token handed to secure storage")

    # Nearby search.
    nearby = await bridge.nearby(40.2425, -111.653, 50000.0, "")
    entries = json.loads(nearby.entries_json)["entries"]
    check(len(entries) > 0 and not nearby.from_cache, "nearby results")

    # Typed errors cross the boundary with their fields.
    try:
        await bridge.nearby(95.0, -111.653, 50000.0, "")
        raise SystemExit("check failed: an invalid latitude was accepted")
    except fb.FieldlineError.Validation as e:
        check(any("latitude" in f.pointer for f in e.errors), "validation names the field")

    # Record a contact: queued durably, delivered, readable offline after sync.
    contact = {
        "occurred_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "setting": "on_scene",
        "incident_type": "domestic_violence",
        "person": {"id": str(uuid.uuid4()), "pseudonym": "Client P1", "name": "Robin Example"},
        "status": "open",
    }
    queued = await bridge.save_contact(None, json.dumps(contact), None)
    report = await bridge.sync()
    check(report.pending == 0 and report.rejected == 0, f"sync delivered everything: {report}")
    check(bridge.outbox() == [], "outbox empty after sync")
    cached = bridge.cached_contact(queued.record_id)
    check(cached is not None and json.loads(cached.json)["person"]["name"] == "Robin Example",
          "contact cached for reading offline")

    # Raise an alert about it.
    outcome = await bridge.raise_alert("high_risk", None, queued.record_id)
    check(outcome.is_delivered(), f"alert delivered: {outcome}")
    alert = json.loads(await bridge.alert(outcome.alert_id))
    check(alert["state"] == "triggered", "alert is triggered")

    print(json.dumps({"contact_id": queued.record_id, "alert_id": outcome.alert_id}))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
