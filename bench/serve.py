#!/usr/bin/env python3
"""Live-loop benchmark: time from saving a page to the reload event and to the new page
being served by `notes serve`, on a generated site.

usage: bench/serve.py NOTES_BIN SITE_DIR [--runs N]

SITE_DIR is a generated site (bench/gen_site.py); it is copied to a temporary folder so
the original stays untouched. Prints the median and 90th percentile of both delays.
"""
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    notes, source = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 20
    work = tempfile.mkdtemp(prefix="notes-serve-bench-")
    site = os.path.join(work, "site")
    shutil.copytree(source, site)
    proc = subprocess.Popen(
        [notes, "serve", site, "--port", "0", "--out", os.path.join(work, "out")],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        port = None
        for line in proc.stderr:
            if line.startswith("serving http://127.0.0.1:"):
                port = int(line.split(":")[2].split("/")[0])
                break
        if port is None:
            sys.exit("notes serve did not start")
        threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()

        events = []
        cond = threading.Condition()

        def listen():
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /__notes/events HTTP/1.1\r\nHost: x\r\n\r\n")
            buf = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if line.startswith(b"event: reload"):
                        with cond:
                            events.append(time.perf_counter())
                            cond.notify_all()

        threading.Thread(target=listen, daemon=True).start()
        time.sleep(0.5)
        page = os.path.join(site, "part-1", "chapter-1", "page-1.md")
        url = "/part-1/chapter-1/page-1/"
        original = open(page, encoding="utf-8").read()
        to_event, to_served = [], []
        for i in range(runs):
            marker = f"BENCHMARK{i}X"
            with cond:
                seen = len(events)
            start = time.perf_counter()
            with open(page, "w", encoding="utf-8") as f:
                f.write(original + f"\n{marker}\n")
            with cond:
                cond.wait_for(lambda: len(events) > seen, timeout=60)
                if len(events) > seen:
                    to_event.append(events[seen] - start)
            while time.perf_counter() - start < 60:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", url)
                body = conn.getresponse().read().decode("utf-8", "replace")
                conn.close()
                if marker in body:
                    to_served.append(time.perf_counter() - start)
                    break
                time.sleep(0.002)
            time.sleep(0.3)

        def fmt(xs):
            xs = sorted(xs)
            p90 = xs[int(0.9 * (len(xs) - 1))]
            return f"p50 {statistics.median(xs) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms ({len(xs)} saves)"

        pages = sum(1 for _, _, fs in os.walk(site) for f in fs if f.endswith(".md"))
        print(f"{pages} pages: save -> reload event: {fmt(to_event)}")
        print(f"{pages} pages: save -> new page served: {fmt(to_served)}")
    finally:
        proc.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
