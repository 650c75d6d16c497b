#!/usr/bin/env python3
"""Audit event commit -> checkpoint in the WORM store, on a stack `./strongroom up` started (issue 12).

usage: bench/scripts/anchor-latency.py [N] [GAP_S] [PID]   (from the repository root; default 100 events 0.5 s apart;
       with PID, e.g. of a running `./strongroom load`, it stops inserting as soon as that process has ended)

One root session over the stack's socket inserts N tenants one after another (autocommit; the triggers append the
event, the stack's sealer chains it). A thread lists <worm>/checkpoints/<origin>/ every 20 ms and notes when each
checkpoint first appears and its size (the name ends in -<size>.note). After the run, one query maps each event to
its chain seq; an event's latency is from its commit (the client's answer to the INSERT) to the first checkpoint
whose size covers its seq. Prints p50/p90/p99/max.
"""
import glob, json, os, subprocess, sys, threading, time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
gap = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
pid = int(sys.argv[3]) if len(sys.argv) > 3 else None

def alive(p):
    try:
        os.kill(p, 0)
        return True
    except ProcessLookupError:
        return False
stack = json.load(open(".strongroom/stack.json"))
sock, worm = stack["db"]["socket"], stack["worm"]["location"]
run = "lat%x" % int(time.time())
seen, stop = {}, threading.Event()

def watch():
    while not stop.is_set():
        for p in glob.glob(os.path.join(worm, "checkpoints", "*", "*.note")):
            if p not in seen:
                seen[p] = (time.monotonic(), int(p.rsplit("-", 1)[1][:-5]))
        time.sleep(0.02)

threading.Thread(target=watch, daemon=True).start()
time.sleep(0.1)
before = len(seen)
sql = subprocess.Popen(["mariadb", "--socket=" + sock, "-N", "-B", "--unbuffered"],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
committed = {}
for i in range(n):
    sql.stdin.write(f"INSERT INTO strongroom.tenants VALUES ('{run}-{i}', UTC_TIMESTAMP(6)); SELECT 'ok';\n")
    sql.stdin.flush()
    assert sql.stdout.readline().strip() == "ok"
    committed[f"{run}-{i}"] = time.monotonic()
    time.sleep(gap)
    if pid is not None and not alive(pid):
        break
n = len(committed)
sql.stdin.close(); sql.wait()
q = (f"SELECT c.seq, e.tenant_id FROM strongroom_audit.audit_chain c JOIN strongroom_audit.audit_events e"
     f" ON e.event_id = c.event_id WHERE e.table_name = 'tenants' AND e.tenant_id LIKE '{run}-%'")
deadline = time.monotonic() + 120
while True:
    rows = subprocess.run(["mariadb", "--socket=" + sock, "-N", "-B", "-e", q], capture_output=True, text=True,
                          check=True).stdout.split("\n")
    seqs = {t: int(s) for s, t in (r.split("\t") for r in rows if r)}
    last = max(seqs.values()) if len(seqs) == n else None
    if last is not None and any(size >= last for _, size in list(seen.values())) or time.monotonic() > deadline:
        break
    time.sleep(0.5)
stop.set()
cps = sorted(seen.values())
lat = []
for t, c in committed.items():
    first = next((at for at, size in cps if size >= seqs[t] and at >= c - 0.02), None)
    if first is None:
        sys.exit(f"event {t} (seq {seqs.get(t)}) not anchored within 120 s of the run's end")
    lat.append(first - c)
lat.sort()
pct = lambda p: lat[max(0, -(-int(p * 100) * len(lat) // 100) - 1)]  # nearest rank
print(f"{n} events: p50 {pct(0.5):.2f} s, p90 {pct(0.9):.2f} s, p99 {pct(0.99):.2f} s, max {lat[-1]:.2f} s;"
      f" {len(cps) - before} new checkpoints seen; load average {os.getloadavg()[0]:.1f}")
