"""`bench/pages.py --sql <keys>`: PostgreSQL's planning and execution time of every query a page makes.

CPU ms (`--cpu`) measure Python only; a page whose single-request time is far above its CPU time
spends it in the database. Each SELECT of one request is run again under `EXPLAIN (ANALYZE, SUMMARY)`
(best of three), which splits the database's time into planning and execution: a record's read
joined to nine wide tables took 10-14 ms to plan and under 1 ms to run (docs/performance.md,
"Planning time").
"""

from __future__ import annotations

import re

PLANNING = re.compile(r"Planning Time: ([\d.]+)")
EXECUTION = re.compile(r"Execution Time: ([\d.]+)")


def _timed(cursor, sql: str, rounds: int = 3) -> tuple[float, float]:
    best = (float("inf"), float("inf"))
    for _ in range(rounds):
        cursor.execute("EXPLAIN (ANALYZE, SUMMARY) " + sql)
        out = "\n".join(row[0] for row in cursor.fetchall())
        planning, execution = float(PLANNING.search(out)[1]), float(EXECUTION.search(out)[1])
        if planning + execution < sum(best):
            best = (planning, execution)
    return best


def report(page, top: int = 5) -> str:
    """The page's queries, slowest to plan first: planning ms, execution ms, joins, the query's start."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = page.cookies[0]
    client.get(page.path)
    with CaptureQueriesContext(connection) as captured:
        client.get(page.path)
    rows = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if sql.lstrip().upper().startswith("SELECT"):
                rows.append((*_timed(cursor, sql), sql.count(" JOIN "), sql[:100]))
    rows.sort(key=lambda row: -row[0])
    lines = [
        f"{page.label}: {len(captured.captured_queries)} queries, planning {sum(r[0] for r in rows):.2f} ms, "
        f"execution {sum(r[1] for r in rows):.2f} ms"
    ]
    lines += [f"  plan {p:6.2f} ms  run {e:6.2f} ms  {j} joins  {s}" for p, e, j, s in rows[:top]]
    return "\n".join(lines)
