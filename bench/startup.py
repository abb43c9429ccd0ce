#!/usr/bin/env python3
"""Start-to-ready time and idle memory of the release server.

Usage: cargo build --release && python3 bench/startup.py [--runs N] [--binary PATH]
                                                         [--database-url URL]

Each run starts `anjoman serve` in a fresh temporary directory (so SQLite runs include
creating the database and applying every migration), polls GET /readyz on loopback until it
answers 200, and records the elapsed time. After the last run the server idles for a few
seconds and its resident memory (VmRSS) is read from /proc. Bounded: every run gives up
after 30 s, and at most 100 runs are allowed.
"""

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import tempfile
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        conn.request("GET", "/readyz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--binary", default="target/release/anjoman")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--idle-seconds", type=float, default=3.0)
    args = parser.parse_args()
    runs = max(1, min(args.runs, 100))
    binary = os.path.abspath(args.binary)

    env = {k: v for k, v in os.environ.items() if not k.startswith("ANJOMAN_")}
    env.pop("DATABASE_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    env["RUST_LOG"] = "warn"

    times_ms = []
    last_rss = None
    for i in range(runs):
        with tempfile.TemporaryDirectory() as cwd:
            port = free_port()
            env["PORT"] = str(port)
            start = time.perf_counter()
            proc = subprocess.Popen([binary, "serve"], cwd=cwd, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = start + 30
            while not ready(port):
                if time.perf_counter() > deadline or proc.poll() is not None:
                    proc.kill()
                    raise SystemExit(f"run {i}: server not ready within 30 s")
                time.sleep(0.002)
            times_ms.append((time.perf_counter() - start) * 1000)
            if i == runs - 1:
                time.sleep(args.idle_seconds)
                last_rss = rss_kib(proc.pid)
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)

    times_ms.sort()
    print(f"backend: {'postgres' if args.database_url else 'sqlite (fresh file, all migrations)'}")
    print(f"start-to-ready over {runs} runs: median {statistics.median(times_ms):.1f} ms, "
          f"min {times_ms[0]:.1f} ms, max {times_ms[-1]:.1f} ms")
    print(f"idle RSS after {args.idle_seconds:.0f} s: {last_rss / 1024:.1f} MiB")
    print(f"binary size: {os.path.getsize(binary) / 1024 / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
