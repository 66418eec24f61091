#!/usr/bin/env python
"""Page load harness: every back-office page under 20 concurrent logged-in clients, as a share of a
bare Django view measured in the same run, with p50/p95/p99, the single-request time and the
query count. One command (after `bench/pages_generate.py` made the data once):

    eval "$(.venv/bin/python scripts/devservices.py start run)"
    export DATABASE_URL=postgres://postgres@127.0.0.1:54329/rentoffice_bench_pages
    .venv/bin/python bench/pages.py     # ~4 min; makes the data first (bench/pages_generate.py, idempotent)

    .venv/bin/python bench/pages.py --cpu     # CPU ms, Python calls and queries per page only, no load
    .venv/bin/python bench/pages.py --floor   # the per-request floor of a logged-in page, part by part
    .venv/bin/python bench/pages.py --sql card,contract   # PostgreSQL's planning/execution ms per query

What runs: gunicorn (sync workers, default 2 = the cores) with `bench.settings` = the production
settings (DEBUG off, cached template loaders, whitenoise manifest after `collectstatic`) plus the
bare view at `/bench/bare/` (answered by the first middleware: no database, no session). The load
is `wrk` (Debian package) with `bench/mix.lua`: every request carries the next session of a mix of
demo users (administrator, station staff Munich, back office, dealer manager), limited per page to
the users who may see it. The bare view is measured before and after the pages; the limit is
their mean. Query counts and profiles come from the same settings in this process (Django's test
client against the same database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "bench-media"))

USERS = ["admin@koenig.example", "muenchen@koenig.example", "backoffice@koenig.example", "manager@koenig.example"]
TARGETS = {  # class -> (minimum share of the bare limit, p95 ms at 20 clients)
    "card": (0.15, 300),
    "list": (0.25, 150),
}
SINGLE_P50_MS = 40


@dataclass
class Page:
    key: str
    label: str
    path: str
    target: str | None = None
    cookies: list[str] = field(default_factory=list)
    queries: int = 0
    cpu_ms: float = 0.0
    calls: int = 0
    single: list[float] = field(default_factory=list)
    load: dict = field(default_factory=dict)


def pages(org) -> list[Page]:
    from django.db.models import Count
    from django.urls import reverse

    from bench.pages_billing import billing_pages
    from bench.pages_generate import bench_customer
    from customers.models import Customer
    from vehicles.models import Vehicle

    slug = org.slug
    customer = bench_customer(org)
    company = Customer.objects.filter(organization=org, sub_customers__isnull=False).order_by("pk").first()
    vehicle = Vehicle.objects.filter(organization=org).annotate(n=Count("damages")).order_by("-n", "pk").first()
    from contracts.models import Contract

    contract = Contract.objects.filter(organization=org).annotate(n=Count("lines")).order_by("-n", "pk").first()
    return [
        Page("dashboard", "dashboard", reverse("org_dashboard", args=[slug]), "list"),
        Page("customers", "customer list", reverse("customers:list", args=[slug]), "list"),
        Page(
            "customers_q",
            "customer list, search 'müller'",
            reverse("customers:list", args=[slug]) + "?q=m%C3%BCller",
            "list",
        ),
        Page(
            "card",
            "customer card (30 changes, 12 messages, 6 documents)",
            reverse("customers:card", args=[slug, customer.pk]),
            "card",
        ),
        Page(
            "card_company",
            "customer card, main customer with sub-customers",
            reverse("customers:card", args=[slug, company.pk]),
            "card",
        ),
        Page("vehicles", "vehicle list", reverse("vehicles:list", args=[slug]), "list"),
        Page("vehicle", "vehicle page", reverse("vehicles:detail", args=[slug, vehicle.pk]), "list"),
        Page("groups", "vehicle groups", reverse("vehicles:group_list", args=[slug]), "list"),
        Page("tariffs", "tariffs", reverse("contracts:tariff_list", args=[slug]), "list"),
        Page("contracts", "contract list", reverse("contracts:list", args=[slug]), "list"),
        Page(
            "contracts_q",
            "contract list, search 'müller'",
            reverse("contracts:list", args=[slug]) + "?q=m%C3%BCller",
            "list",
        ),
        Page("contract", "contract page", reverse("contracts:detail", args=[slug, contract.pk]), "list"),
        Page("stations", "stations", reverse("station_list", args=[slug]), "list"),
        Page("users", "users", reverse("user_list", args=[slug]), "list"),
        Page("roles", "roles", reverse("role_list", args=[slug]), "list"),
        Page(
            "activity", "customer activity, all", reverse("activity_all", args=[slug, "customer", customer.pk]), "list"
        ),
        Page(
            "messages", "customer messages, all", reverse("messages_all", args=[slug, "customer", customer.pk]), "list"
        ),
        *_protocol_and_case_pages(org),
        *billing_pages(org, Page),
    ]


def _protocol_and_case_pages(org) -> list[Page]:
    """Protocols (issue 10) and dealer cases (issue 12), from the demo's records."""
    from django.db.models import Count
    from django.urls import reverse

    from fleetback.models import Case
    from protocols.models import Protocol

    slug = org.slug
    protocol = Protocol.objects.filter(organization=org, status="submitted").order_by("-kind", "pk").first()
    case = Case.objects.filter(organization=org).annotate(n=Count("items")).order_by("-n", "pk").first()
    found = [Page("protocol_types", "protocol types", reverse("protocols:type_list", args=[slug]), "list")]
    if protocol is not None:
        found.append(Page("protocol", "protocol page", reverse("protocols:detail", args=[slug, protocol.pk]), "list"))
    found.append(Page("cases", "dealer cases, after-sales", reverse("fleetback:list_after_sales", args=[slug]), "list"))
    if case is not None:
        found.append(Page("case", "dealer case page", reverse("fleetback:detail", args=[slug, case.pk]), "list"))
    found.append(Page("contacts", "dealer-case contacts (CRM)", reverse("fleetback:contacts", args=[slug]), "list"))
    return found


def sessions() -> dict[str, str]:
    from django.test import Client

    from rentoffice.models import User

    result = {}
    for email in USERS:
        client = Client()
        client.force_login(User.objects.get(email=email))
        result[email] = client.cookies["sessionid"].value
    return result


def count_queries(page: Page, session_by_user: dict[str, str]) -> None:
    """Keeps the users who get a 200 on the page, counts the queries of the first of them."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for cookie in session_by_user.values():
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = cookie
        if client.get(page.path).status_code == 200:
            page.cookies.append(cookie)
    if not page.cookies:
        sys.exit(f"no user of the mix may open {page.path}")
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = page.cookies[0]
    with CaptureQueriesContext(connection) as captured:
        client.get(page.path)
    page.queries = len(captured)
    # CPU time of this process per request (Django + templates, not PostgreSQL's side): a figure that
    # other programs on a shared machine hardly move, unlike wall-clock times.
    cpu = []
    for _ in range(15):
        start = time.process_time()
        client.get(page.path)
        cpu.append((time.process_time() - start) * 1000)
    page.cpu_ms = statistics.median(cpu)
    from bench.pages_floor import _calls

    # Python function calls of one request: deterministic, the figure to compare on a busy machine.
    page.calls = _calls(lambda: client.get(page.path))


def profile(page: Page, rounds: int = 20) -> None:
    import cProfile
    import pstats

    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = page.cookies[0]
    client.get(page.path)
    profiler = cProfile.Profile()
    t = time.perf_counter()
    profiler.enable()
    for _ in range(rounds):
        client.get(page.path)
    profiler.disable()
    print(f"\nprofile of {page.label}: {(time.perf_counter() - t) * 1000 / rounds:.1f} ms per request in-process")
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(os.environ.get("BENCH_FILTER", ""), 35)
    stats.sort_stats("tottime").print_stats(25)
    if os.environ.get("BENCH_CALLERS"):
        stats.print_callers(*os.environ["BENCH_CALLERS"].split(","))


def get(port: int, path: str, cookie: str | None) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    t = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - t) * 1000
    conn.close()
    return response.status, elapsed


def wrk(port: int, path: str, cookies: list[str], *, duration: int, connections: int) -> dict:
    env = {**os.environ, "BENCH_COOKIES": ",".join(cookies)}
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "mix.lua"),
            f"http://127.0.0.1:{port}{path}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    load = os.getloadavg()
    return f"{os.cpu_count()} cores ({model}), {platform.system()} {platform.release()}, load before {load[0]:.2f}"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=20, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    parser.add_argument("--single", type=int, default=30, help="sequential requests per page (single-request time)")
    parser.add_argument("--only", default="", help="comma-separated page keys")
    parser.add_argument("--profile", default="", help="comma-separated page keys to profile in-process, then stop")
    parser.add_argument("--cpu", action="store_true", help="only the in-process CPU ms and query counts, no load")
    parser.add_argument("--floor", action="store_true", help="the per-request floor part by part, no load")
    parser.add_argument("--sql", default="", help="comma-separated page keys: planning/execution ms per query")
    parser.add_argument(
        "--no-generate", action="store_true", help="skip bench/pages_generate.py (idempotent, ~10 s when done)"
    )
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--out", default="", help="also write the result block to this file")
    return parser.parse_args()


def _server_wait(port: int) -> None:
    for _ in range(100):
        try:
            if get(port, "/bench/bare-view/", None)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start")


def _row(page: Page, limit: float) -> str:
    load = page.load
    share = load["rps"] / limit
    single = statistics.median(page.single)
    target, met = "–", ""
    if page.target:
        need_share, need_p95 = TARGETS[page.target]
        target = f"≥ {need_share:.0%}, p95 < {need_p95}, single < {SINGLE_P50_MS}"
        ok = share >= need_share and load["p95_us"] / 1000 < need_p95 and single < SINGLE_P50_MS
        met = "yes" if ok else "**no**"
    errors = load["socket_errors"] + load["bad_status"]
    cpu, queries = (f"{page.cpu_ms:.1f}", str(page.queries)) if page.cookies else ("–", "–")
    calls = f"{page.calls / 1000:.0f}k" if page.cookies else "–"
    return (
        f"| {page.label}{f' ({errors} errors)' if errors else ''}{' (no answer within 10 s)' if not load['requests'] else ''} | {load['rps']:.1f} | {share:.1%} "
        f"| {load['p50_us'] / 1000:.0f} | {load['p95_us'] / 1000:.0f} | {load['p99_us'] / 1000:.0f} "
        f"| {single:.1f} | {cpu} | {calls} | {queries} | {target} | {met} |"
    )


def _pages_check(port: int, todo: list[Page]) -> None:
    """Every page answers 200 through gunicorn for every user of its mix, or the bench stops."""
    for page in todo:
        for cookie in page.cookies:
            status, _ms = get(port, page.path, cookie)
            if status != 200:
                sys.exit(f"{page.path}: {status} through gunicorn")


def _single_times(port: int, pages: list[Page], count: int) -> None:
    """`count` sequential requests per page, taken round-robin over all pages (one request of each,
    then the next round): on a shared machine whose speed drifts within minutes, every page then
    meets the same drift, and the bare view's figure next to them says how fast the machine was.
    Every worker's caches are warmed first."""
    for page in pages:
        for _ in range(3):
            get(port, page.path, page.cookies[0] if page.cookies else None)
    for i in range(count):
        for page in pages:
            page.single.append(get(port, page.path, page.cookies[i % len(page.cookies)] if page.cookies else None)[1])


def _pages_counted(only: str) -> list[Page]:
    """The pages to measure (all, or the `--only` keys), with their queries and CPU time counted."""
    from django_scopes import scopes_disabled

    from rentoffice.models import Organization

    with scopes_disabled():
        org = Organization.objects.get(slug="koenig")
        todo = pages(org)
    if only:
        keep = only.split(",")
        todo = [p for p in todo if p.key in keep]
    session_by_user = sessions()
    for page in todo:
        count_queries(page, session_by_user)
    return todo


def _without_load(args, todo: list[Page]) -> bool:
    """`--cpu` and `--profile`: measured in this process, no server and no load; True if done."""
    if args.cpu:
        print(f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, {machine()}")
        for page in todo:
            print(f"{page.key:14} {page.cpu_ms:7.1f} ms CPU {page.calls / 1000:7.1f}k calls {page.queries:4d} queries")
        return True
    if args.floor:
        from bench.pages_floor import floor, report

        print(f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, {machine()}")
        print(report(floor(todo[0].cookies[0], {p.label: p.path for p in todo})))
        return True
    if args.sql:
        from bench.pages_sql import report

        for page in todo:
            if page.key in args.sql.split(","):
                print(report(page))
        return True
    if args.profile:
        for page in todo:
            if page.key in args.profile.split(","):
                profile(page)
        return True
    return False


def main() -> None:
    args = _arguments()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")

    if not args.no_generate:  # one command for a fresh database too: the data are made (once) first
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "rentoffice.settings.dev"}
        subprocess.run([sys.executable, str(ROOT / "bench" / "pages_generate.py")], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()
    import logging

    # Users of the mix who may not open a page get 403/404 while the mix is sorted out: expected.
    logging.getLogger("django.request").setLevel(logging.ERROR)

    todo = _pages_counted(args.only)
    if _without_load(args, todo):
        return
    from django.db import connections

    connections.close_all()

    before = machine()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "rentoffice.wsgi:application",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        _server_wait(args.port)
        _pages_check(args.port, todo)
        bare = Page("bare", "bare Django view behind all middleware (the limit)", "/bench/bare-view/")
        refs = [
            bare,
            Page("raw", "bare view in the first middleware (for information)", "/bench/bare/"),
            Page("healthz", "/healthz: database + broker ping (the issue's reference)", "/healthz"),
        ]
        _single_times(args.port, [*refs, *todo], args.single)
        for page in refs:
            page.load = wrk(args.port, page.path, [], duration=args.duration, connections=args.connections)
        for page in todo:
            page.load = wrk(args.port, page.path, page.cookies, duration=args.duration, connections=args.connections)
            print(f"  {page.key}: {page.load['rps']:.1f} req/s", file=sys.stderr, flush=True)
        bare_after = wrk(args.port, bare.path, [], duration=args.duration, connections=args.connections)
    finally:
        server.terminate()
        server.wait(timeout=30)

    limit = (bare.load["rps"] + bare_after["rps"]) / 2
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    lines = [
        f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, {before}; commit {commit.strip()}",
        f"`.venv/bin/python bench/pages.py {' '.join(sys.argv[1:])}`".replace(" `", "`"),
        f"gunicorn {args.workers} sync workers, wrk {args.connections} connections × {args.duration} s per page; "
        f"bare limit {bare.load['rps']:.0f} req/s before, {bare_after['rps']:.0f} after → {limit:.0f}",
        "",
        "| page | req/s | share of bare | p50 ms | p95 ms | p99 ms | single p50 ms | CPU ms | calls | queries | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    lines += [_row(page, limit) for page in [*refs, *todo]]
    block = "\n".join(lines)
    print(block)
    if args.out:
        Path(args.out).write_text(block + "\n")


if __name__ == "__main__":
    main()
