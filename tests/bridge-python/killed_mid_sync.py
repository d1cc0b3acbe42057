"""A Python phone killed (SIGKILL) in the middle of a sync, then started again.

Run by tests/tests/suite/bridge_ffi.rs:

    PYTHONPATH=target/bindings/python python3 killed_mid_sync.py record SERVER DEAD DB KEY_HEX TOKEN_FILE EMAIL PASSWORD COUNT
    PYTHONPATH=target/bindings/python python3 killed_mid_sync.py resume SERVER DB KEY_HEX TOKEN_FILE

`record`: signs in, loses the signal (DEAD: nobody listens), records COUNT contacts, gets the
signal back and syncs; prints `syncing` first, so the test can kill it while the sync runs.
The refresh token goes to TOKEN_FILE, as an app keeps it in the Keychain / Keystore.
`resume`: opens the same database with the same key, resumes the session from TOKEN_FILE and
syncs until the outbox is empty; prints one JSON line with the last report.
"""

import asyncio
import datetime
import json
import sys
import uuid

import fieldline_bridge as fb


class SecureStorage(fb.TokenStore):
    def __init__(self, path):
        self.path = path

    def refresh_token_changed(self, refresh_token):
        with open(self.path, "w") as f:
            f.write(refresh_token or "")


def check(cond, what):
    if not cond:
        raise SystemExit(f"check failed: {what}")


async def record(server, dead, db, key_hex, token_file, email, password, count):
    bridge = fb.Bridge(server, db, bytes.fromhex(key_hex), SecureStorage(token_file))
    await bridge.login(email, password)
    bridge.set_server_url(dead)
    for n in range(int(count)):
        contact = {
            "occurred_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "setting": "on_scene",
            "incident_type": "domestic_violence",
            "person": {"id": str(uuid.uuid4()), "pseudonym": f"Client K{n}"},
            "status": "open",
        }
        await bridge.save_contact(None, json.dumps(contact), None)
    bridge.set_server_url(server)
    print("syncing", flush=True)
    await bridge.sync()
    print("synced", flush=True)


async def resume(server, db, key_hex, token_file):
    bridge = fb.Bridge(server, db, bytes.fromhex(key_hex), SecureStorage(token_file))
    with open(token_file) as f:
        await bridge.resume(f.read())
    report = None
    for _ in range(100):
        try:
            report = await bridge.sync()
        except fb.FieldlineError.Offline:
            continue
        check(report.rejected == 0 and report.conflicts == 0, f"nothing refused: {report}")
        if not bridge.outbox():
            break
    check(report is not None and not bridge.outbox(), "the outbox emptied")
    print(json.dumps({"sent": report.sent, "pending": report.pending}), flush=True)


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    asyncio.run(record(*args) if mode == "record" else resume(*args))
