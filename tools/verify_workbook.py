#!/usr/bin/env python3
"""Independent check of a report workbook: recompute every silo-hour from the raw JSON-lines files in plain
Python (decimal arithmetic, HALF_UP) and compare with what openpyxl reads from the workbook, in normal and
read-only mode (read-only trusts each sheet's <dimension>).

usage: verify_workbook.py WORKBOOK RAW_READINGS_DIR [--exclude GLOB ...]
Late readings are merged by the stream, so they count; --exclude leaves files out (the sample generator puts its
late readings in zz-late-*).
"""
import argparse, datetime as dt, fnmatch, json, math, os, sys
from decimal import Decimal, ROUND_HALF_UP
import openpyxl

p = argparse.ArgumentParser()
p.add_argument("workbook"); p.add_argument("raw_dir")
p.add_argument("--exclude", action="append", default=[])
a = p.parse_args()

wb = openpyxl.load_workbook(a.workbook)
summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows() if r[0].value and len(r) > 1}
def find(prefix):
    for k, v in summary.items():
        if str(k).lower().startswith(prefix):
            return v
    raise SystemExit(f"summary has no '{prefix}' row: {list(summary)[:12]}")
def instant(v):
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=dt.timezone.utc)
    return dt.datetime.fromisoformat(str(v).replace("Z", "+00:00"))
cutoff = instant(find("cut-off"))
rng_from, rng_to = instant(find("range from")), instant(find("range to"))

def bad(o):
    if not isinstance(o, dict): return True
    s, ts, v = o.get("silo_id"), o.get("ts"), o.get("value")
    if not isinstance(s, int) or isinstance(s, bool) or s < 0: return True
    if not isinstance(ts, str): return True
    if isinstance(v, bool) or not isinstance(v, (int, Decimal, float)): return True
    if isinstance(v, float) and not math.isfinite(v): return True
    if abs(Decimal(str(v))) >= Decimal("1e10"): return True
    return False

hours = {}
n = 0
for name in sorted(os.listdir(a.raw_dir)):
    if name.startswith(".") or any(fnmatch.fnmatch(name, g) for g in a.exclude):
        continue
    for line in open(os.path.join(a.raw_dir, name)):
        if not line.strip(): continue
        try:
            o = json.loads(line, parse_float=Decimal, parse_constant=lambda c: float(c))
        except ValueError:
            continue
        if bad(o): continue
        try:
            t = instant(o["ts"])
        except ValueError:
            continue
        if t.year < 2000 or t >= cutoff or t < rng_from or t >= rng_to: continue
        h = t.replace(minute=0, second=0, microsecond=0)
        v = Decimal(str(o["value"]))
        e = hours.setdefault((o["silo_id"], h), [Decimal(0), None, None, 0])
        e[0] += v; e[1] = v if e[1] is None else min(e[1], v); e[2] = v if e[2] is None else max(e[2], v); e[3] += 1
        n += 1

q = lambda d: d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
expected = {k: (q(s / c), q(mn), q(mx), q(s), c) for k, (s, mn, mx, c) in hours.items()}

for mode in ("normal", "read-only"):
    w = openpyxl.load_workbook(a.workbook, read_only=(mode == "read-only"))
    got, int_counts = {}, True
    for ws in w.worksheets:
        if not ws.title.startswith("Silo "): continue
        silo = int(ws.title.split()[1])
        for i, row in enumerate(ws.iter_rows(values_only=True)):
            if i == 0 or row[0] is None: continue
            hour = row[0].replace(tzinfo=dt.timezone.utc)
            int_counts &= isinstance(row[5], int)
            got[(silo, hour)] = tuple(q(Decimal(str(x))) for x in row[1:5]) + (int(row[5]),)
    missing = sorted(set(expected) - set(got))[:3]; extra = sorted(set(got) - set(expected))[:3]
    wrong = [(k, expected[k], got[k]) for k in expected if k in got and expected[k] != got[k]][:3]
    print(f"{mode}: {len(got)} rows in workbook, {len(expected)} expected from {n} raw readings; "
          f"missing {len(set(expected) - set(got))}, extra {len(set(got) - set(expected))}, wrong {len(wrong)}; "
          f"counts are ints: {int_counts}")
    if missing or extra or wrong:
        print("  missing", missing, "extra", extra, "wrong", wrong); sys.exit(1)
print("OK: every cell equals the independent computation")
