#!/usr/bin/env python3
"""Deploy benchmark: `notes deploy` of a 10,000-file site where one file changed.

Usage: bench/deploy.py [FILES]        (default 10000)

For a local bare repository (path remote) and the same repository behind `git daemon`
on 127.0.0.1 (a network remote, fetched with depth 1), it measures:
  * the first deploy of the whole folder;
  * RUNS deploys that each change one file (a different one each time): wall time and
    the objects and bytes pushed, as notes reports them;
  * RUNS redeploys of an unchanged folder;
and, in the same run, the git command line doing the same one-file deploy:
  * warm: a checkout kept between deploys (`git add -A && git commit && git push`);
  * fresh: what checkout-based deploy actions do on every run (`git clone --depth 1
    --branch gh-pages`, replace the files, add, commit, push).
Medians are reported. The table goes to stdout and to bench/deploy-results.md.

Environment: RUNS (default 5), NOTES_BIN (skip building), CARGO_TARGET_DIR,
BENCH_WORK (default /var/tmp/notes-bench).
"""

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RUNS = int(os.environ.get("RUNS", "5"))
WORK = os.environ.get("BENCH_WORK", "/var/tmp/notes-bench")
GIT_ENV = dict(
    os.environ,
    GIT_AUTHOR_NAME="bench",
    GIT_AUTHOR_EMAIL="bench@example.org",
    GIT_COMMITTER_NAME="bench",
    GIT_COMMITTER_EMAIL="bench@example.org",
)
for var in ("GITHUB_ACTIONS", "GITHUB_REPOSITORY", "GITHUB_SERVER_URL", "GITHUB_OUTPUT", "CI"):
    GIT_ENV.pop(var, None)


def die(msg):
    print(f"bench/deploy.py: error: {msg}", file=sys.stderr)
    sys.exit(1)


def notes_binary():
    if os.environ.get("NOTES_BIN"):
        return os.environ["NOTES_BIN"]
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "release", "notes")


def make_site(path, files):
    """FILES html pages of about 4 KB in 100 folders, deterministic."""
    shutil.rmtree(path, ignore_errors=True)
    per_dir = 100
    for i in range(files):
        d = os.path.join(path, f"part-{i // per_dir:03d}")
        os.makedirs(d, exist_ok=True)
        body = "".join(f"<p>Paragraph {k} of page {i}: some course notes text.</p>\n" for k in range(60))
        with open(os.path.join(d, f"page-{i:05d}.html"), "w") as f:
            f.write(f"<!doctype html><title>Page {i}</title>\n{body}")


def edit(site, run):
    """Changes one file, a different one each run."""
    path = os.path.join(site, "part-042", f"page-{4200 + run:05d}.html")
    with open(path, "a") as f:
        f.write(f"<p>edited in run {run} at {time.time_ns()}</p>\n")
    return path


def timed(cmd, **kw):
    t0 = time.perf_counter_ns()
    out = subprocess.run(cmd, capture_output=True, text=True, env=GIT_ENV, **kw)
    dt = (time.perf_counter_ns() - t0) / 1e9
    if out.returncode != 0:
        die(f"{' '.join(cmd)} failed:\n{out.stdout}{out.stderr}")
    return dt, out.stdout + out.stderr


def pushed(text):
    m = re.search(r"(\d+) objects(?: \(([^)]*)\))? pushed", text)
    return (int(m.group(1)), m.group(2) or "local, no pack") if m else (0, "-")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_daemon(base):
    port = free_port()
    proc = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}",
         f"--base-path={base}", "--export-all", "--enable=receive-pack", base],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    die("git daemon did not start")


def bench_remote(notes, site, work, label, url_for):
    bare = os.path.join(work, "pages.git")
    shutil.rmtree(bare, ignore_errors=True)
    subprocess.run(["git", "init", "-q", "--bare", bare], check=True)
    url = url_for(bare)
    deploy = [notes, "deploy", "--no-build", "--dir", site, "--remote", url]
    first, text = timed(deploy)
    first_objects, first_bytes = pushed(text)
    rows = [(label, "first deploy (all files)", first, f"{first_objects} ({first_bytes})")]

    times, objects = [], []
    for run in range(RUNS):
        edit(site, run)
        dt, text = timed(deploy)
        times.append(dt)
        objects.append(pushed(text))
    counts = sorted({o for o, _ in objects})
    sizes = sorted({b for _, b in objects})
    rows.append((label, "one file changed", statistics.median(times),
                 f"{'/'.join(map(str, counts))} ({', '.join(sizes)})"))

    times = []
    for _ in range(RUNS):
        dt, text = timed(deploy)
        if "unchanged" not in text:
            die(f"expected an unchanged deploy:\n{text}")
        times.append(dt)
    rows.append((label, "unchanged", statistics.median(times), "0"))

    # The git command line, same change, same remote.
    warm = os.path.join(work, "warm")
    shutil.rmtree(warm, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", "--branch", "gh-pages", url, warm], check=True, env=GIT_ENV)
    times = []
    for run in range(RUNS):
        changed = edit(site, RUNS + run)
        rel = os.path.relpath(changed, site)
        t0 = time.perf_counter_ns()
        shutil.copyfile(changed, os.path.join(warm, rel))
        for cmd in (["git", "add", "-A"], ["git", "commit", "-qm", "bench"], ["git", "push", "-q", "origin", "gh-pages"]):
            subprocess.run(cmd, cwd=warm, check=True, env=GIT_ENV, capture_output=True)
        times.append((time.perf_counter_ns() - t0) / 1e9)
    rows.append((label, "git CLI, warm checkout: add -A, commit, push", statistics.median(times), "-"))

    times = []
    for run in range(RUNS):
        edit(site, 2 * RUNS + run)
        fresh = os.path.join(work, f"fresh-{run}")
        t0 = time.perf_counter_ns()
        subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "gh-pages", url, fresh],
                       check=True, env=GIT_ENV, capture_output=True)
        subprocess.run(["git", "rm", "-rq", "."], cwd=fresh, check=True, env=GIT_ENV, capture_output=True)
        shutil.copytree(site, fresh, dirs_exist_ok=True)
        for cmd in (["git", "add", "-A"], ["git", "commit", "-qm", "bench"], ["git", "push", "-q", "origin", "gh-pages"]):
            subprocess.run(cmd, cwd=fresh, check=True, env=GIT_ENV, capture_output=True)
        times.append((time.perf_counter_ns() - t0) / 1e9)
        shutil.rmtree(fresh, ignore_errors=True)
    rows.append((label, "git CLI, fresh clone --depth 1 (deploy actions)", statistics.median(times), "-"))
    # The CLI runs moved the branch; notes must still see it as its own next time.
    return rows


def main():
    files = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    notes = notes_binary()
    os.makedirs(WORK, exist_ok=True)
    work = tempfile.mkdtemp(prefix="deploy-", dir=WORK)
    try:
        site = os.path.join(work, "site")
        make_site(site, files)
        rows = bench_remote(notes, site, work, "path", lambda bare: bare)
        make_site(site, files)
        daemon, port = start_daemon(work)
        try:
            rows += bench_remote(notes, site, work, "git daemon", lambda bare: f"git://127.0.0.1:{port}/pages.git")
        finally:
            daemon.kill()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [
        f"Deploy of a {files}-file site ({RUNS} runs each, median wall time; release build; "
        f"{os.cpu_count()} cores; {time.strftime('%Y-%m-%d')})",
        "",
        "| remote | what | median time | objects pushed (bytes) |",
        "|---|---|---:|---|",
    ]
    lines += [f"| {r} | {w} | {t:.2f} s | {o} |" for r, w, t, o in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(HERE, "deploy-results.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
