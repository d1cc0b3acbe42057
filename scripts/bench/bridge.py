"""scripts/bench-bridge's phone: record contacts offline, then time the sync that delivers them.

    bridge.py SERVER_URL UNREACHABLE_URL COUNT DB_PATH
"""

import asyncio
import datetime
import json
import os
import sys
import time
import uuid

import fieldline_bridge as fb


class Storage(fb.TokenStore):
    def refresh_token_changed(self, refresh_token):
        pass


def contact(n):
    return json.dumps({
        "occurred_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "setting": "on_scene",
        "incident_type": "domestic_violence",
        "person": {"id": str(uuid.uuid4()), "pseudonym": f"Client {n}",
                   "name": "Robin Example", "phone": "555-0100"},
        "needs": ["shelter", "legal"],
        "notes": "Met at the scene; follow up tomorrow morning about the protective order.",
        "status": "open",
    })


async def main(server, unreachable, count, db):
    bridge = fb.Bridge(server, db, os.urandom(32), Storage())
    await bridge.login("advocate@demo.fieldline.test", "fieldline-demo")
    bridge.set_server_url(unreachable)
    t0 = time.perf_counter()
    for n in range(count):
        await bridge.save_contact(None, contact(n), None)
    recorded = time.perf_counter() - t0
    pending = len(bridge.outbox())
    assert pending == count, f"{pending} queued, expected {count}"
    queued_bytes = bridge.database_size_bytes()

    bridge.set_server_url(server)
    t0 = time.perf_counter()
    report = await bridge.sync()
    synced = time.perf_counter() - t0
    assert report.pending == 0 and report.rejected == 0 and report.conflicts == 0, report
    assert bridge.outbox() == []
    print(f"contacts recorded offline: {count} in {recorded:.2f} s ({recorded / count * 1000:.2f} ms each, durable)")
    print(f"outbox on disk with {count} queued: {queued_bytes / 1024:.0f} KiB ({queued_bytes / count:.0f} B per contact, sealed)")
    print(f"sync (deliver {report.sent}, receive {report.received}): {synced:.2f} s  (target < 5 s on loopback)")
    print(f"database after sync (records cached for offline reading): {bridge.database_size_bytes() / 1024:.0f} KiB")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]))
