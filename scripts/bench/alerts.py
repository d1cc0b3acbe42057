#!/usr/bin/env python3
"""Alert benchmark driver (run by scripts/bench-alerts; stdlib only).

1. Delivery latency: N alerts raised one after another with POST /v1/alerts; for each, the time
   from the POST returning (201 read) to the push arriving decrypted at the push receiver
   (tests/push-receiver, its `decrypted_ts`). Same machine, same clock.
2. Escalation lateness: N alerts whose policy escalates to level 2 after one minute; for each,
   from the due time (`next_escalation_at` as stored) to the `escalated` event, to the level-2
   delivery being sent, and to that push arriving decrypted at the receiver.

Usage: alerts.py BASE_URL RECEIVER_ORIGIN RECEIVER_OUT DATABASE_URL N
Prints `key value` lines the script formats.
"""
import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import datetime

BASE, RECEIVER, OUT, DB, N = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
PASSWORD = "fieldline-demo"  # api/src/demo.rs


def request(method, url, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            raw = res.read()
            return res.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def must(expected, answer, what):
    status, body = answer
    if status != expected:
        sys.exit(f"{what}: expected {expected}, got {status}: {body}")
    return body


def login(email):
    return must(200, request("POST", f"{BASE}/v1/auth/login", {"email": email, "password": PASSWORD}),
                f"login {email}")["access_token"]


def psql(sql):
    out = subprocess.run(["psql", "-X", "-q", "-tA", "-F", " ", "-v", "ON_ERROR_STOP=1", "-d", DB, "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split(" ") for line in out.splitlines() if line]


def arrivals(sub):
    """alert id -> decrypted_ts of the first accepted push to `sub`."""
    seen = {}
    with open(OUT) as f:
        for line in f:
            r = json.loads(line)
            if r["subscription"] == sub and r["status"] == 201:
                seen.setdefault(json.loads(r["payload"])["alert_id"], r["decrypted_ts"])
    return seen


def wait_for(pred, secs, what):
    until = time.time() + secs
    while not pred():
        if time.time() > until:
            sys.exit(f"timed out after {secs}s waiting for {what}")
        time.sleep(0.2)


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))]


def summary(name, ms):
    print(f"{name} n={len(ms)} p50={pct(ms, 50):.1f} p99={pct(ms, 99):.1f} max={max(ms):.1f} min={min(ms):.1f}")


def raise_alerts(token, kind, n):
    """Raises n alerts one after another: {id: (when the POST returned, next_escalation_at)}."""
    returned = {}
    post_ms = []
    for _ in range(n):
        aid = str(uuid.uuid4())
        t0 = time.time()
        alert = must(201, request("POST", f"{BASE}/v1/alerts", {"id": aid, "kind": kind}, token), "raise")
        t1 = time.time()
        returned[aid] = (t1, datetime.fromisoformat(alert["next_escalation_at"]).timestamp())
        post_ms.append((t1 - t0) * 1000)
    return returned, post_ms


def main():
    coordinator, backup, advocate = (login(f"{u}@demo.fieldline.test") for u in ("coordinator", "coordinator2", "advocate"))
    ids = {t: must(200, request("GET", f"{BASE}/v1/me", token=t), "me")["id"] for t in (coordinator, backup)}
    subs = {}
    for t in (coordinator, backup):
        sub = must(201, request("POST", f"{RECEIVER}/subscriptions"), "receiver subscription")
        must(201, request("POST", f"{BASE}/v1/push/subscriptions",
                          {"endpoint": sub["endpoint"], "keys": sub["keys"]}, t), "register")
        subs[t] = sub["id"]
    # Next-of-kin: the coordinator only, escalating after an hour (never during the run).
    must(200, request("PUT", f"{BASE}/v1/escalation-policies/next_of_kin",
                      {"name": "bench latency", "levels": [{"delay_minutes": 60, "user_ids": [ids[coordinator]]}]},
                      coordinator), "policy")
    # High risk: the coordinator, then after one minute the backup.
    must(200, request("PUT", f"{BASE}/v1/escalation-policies/high_risk",
                      {"name": "bench escalation", "levels": [
                          {"delay_minutes": 1, "user_ids": [ids[coordinator]]},
                          {"delay_minutes": 60, "user_ids": [ids[backup]]}]},
                      coordinator), "policy")

    # Warm-up, not measured.
    warm, _ = raise_alerts(advocate, "next_of_kin", 50)
    wait_for(lambda: len(set(warm) & set(arrivals(subs[coordinator]))) == len(warm), 60, "warm-up pushes")

    # 1. POST returned -> push decrypted at the receiver.
    returned, post_ms = raise_alerts(advocate, "next_of_kin", N)
    wait_for(lambda: len(set(returned) & set(arrivals(subs[coordinator]))) == N, 120, "every push")
    got = arrivals(subs[coordinator])
    lat = [(got[a] - t) * 1000 for a, (t, _) in returned.items()]
    summary("post_ms", post_ms)
    summary("push_ms", lat)
    print(f"push_before_post_returned {sum(1 for v in lat if v < 0)}")

    # 2. Due -> escalated, level-2 sent, level-2 decrypted at the receiver.
    started = time.time()
    raised, _ = raise_alerts(advocate, "high_risk", N)
    print(f"escalation_raise_seconds {time.time() - started:.1f}")
    ids_sql = ",".join(f"'{a}'" for a in raised)
    # Due: next_escalation_at as the raise answered it (the database's clock).
    due = {a: d for a, (_, d) in raised.items()}
    wait_for(lambda: int(psql(f"SELECT count(*) FROM alerts WHERE id IN ({ids_sql}) AND level = 1")[0][0]) == N,
             180, "every escalation")
    wait_for(lambda: len(set(raised) & set(arrivals(subs[backup]))) == N, 60, "every level-2 push")
    rows = psql(f"""SELECT a.id, extract(epoch FROM e.at), extract(epoch FROM d.created_at), extract(epoch FROM d.sent_at)
                      FROM alerts a JOIN alert_events e ON e.agency_id = a.agency_id AND e.alert_id = a.id
                                                           AND e.kind = 'escalated'
                      JOIN push_deliveries d ON d.agency_id = a.agency_id AND d.alert_id = a.id
                                             AND d.payload->>'alert_id' = a.id::text
                      JOIN push_subscriptions s ON s.id = d.subscription_id AND s.user_id = '{ids[backup]}'
                     WHERE a.id IN ({ids_sql})""")
    if len(rows) != N:
        sys.exit(f"{len(rows)} escalation rows for {N} alerts")
    arrived = arrivals(subs[backup])
    summary("escalated_late_ms", [(float(r[1]) - due[r[0]]) * 1000 for r in rows])
    summary("enqueued_late_ms", [(float(r[2]) - due[r[0]]) * 1000 for r in rows])
    summary("sent_late_ms", [(float(r[3]) - due[r[0]]) * 1000 for r in rows])
    summary("arrived_late_ms", [(arrived[r[0]] - due[r[0]]) * 1000 for r in rows])


if __name__ == "__main__":
    main()
