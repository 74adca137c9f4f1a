"""Screenshots of the dashboard for the README: `mamori serve` on the demo store, pages saved as PNG.

    python benchmarks/screenshots.py [--db PATH] [--out docs/img] [--width 1280]

Without --db it first runs `mamori demo --db <tmp>/mamori.db` (the emulated two-account estate,
about 20-30 s). Then it adds a throw-away admin user, starts the server on 127.0.0.1 (uvicorn
in a thread), signs in with Debian's chromium through Playwright (no `playwright install`:
/usr/bin/chromium) and saves one PNG per page into --out: server-overview.png,
server-findings.png, server-finding.png (the worst finding's detail), server-standards.png,
server-scans.png, server-events.png, server-teams.png, server-audit.png, server-accounts.png.
Every request to a host other than 127.0.0.1 is blocked, as in the browser tests.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
PAGES = [
    ("overview", "/"),
    ("findings", "/findings"),
    ("finding", None),  # the first finding of the list
    ("standards", "/standards"),
    ("scans", "/scans"),
    ("events", "/events"),
    ("teams", "/teams"),
    ("audit", "/audit"),
    ("accounts", "/accounts"),
]


def _mamori() -> list[str]:
    exe = Path(sys.executable).parent / "mamori"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "mamori.cli.main"]


def demo_store(folder: Path) -> Path:
    db = folder / "mamori.db"
    print(f"running `mamori demo --db {db}` ...", file=sys.stderr)
    subprocess.run([*_mamori(), "demo", "--db", str(db)], check=True, stdout=subprocess.DEVNULL)
    return db


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=None, help="a store to show (default: a fresh `mamori demo` store)")
    ap.add_argument("--out", type=Path, default=Path("docs/img"))
    ap.add_argument("--width", type=int, default=1280)
    args = ap.parse_args()

    import uvicorn
    from playwright.sync_api import Route, sync_playwright

    from mamori.config import Config
    from mamori.demo.estate import DEMO_ACCOUNT, DEV_ACCOUNT
    from mamori.server.app import create_app
    from mamori.server.settings import ServerSettings
    from mamori.users import Role

    work = Path(tempfile.mkdtemp(prefix="mamori-shots-"))
    try:
        if args.db is not None:
            db = work / "mamori.db"
            shutil.copy(args.db, db)  # the demo's store stays as it was (no screenshot user in it)
        else:
            db = demo_store(work)
        cfg = Config(account_groups={"prod": [DEMO_ACCOUNT], "dev": [DEV_ACCOUNT]})
        app = create_app(ServerSettings(db_url=f"sqlite:///{db}", config=cfg, secret_key=secrets.token_urlsafe(32),
                                        schedules=False))  # fmt: skip
        password = secrets.token_urlsafe(16)
        app.state.users.add_user("alice", role=Role.ADMIN, password=password, actor="screenshots")
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        args.out.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(viewport={"width": args.width, "height": 900}, device_scale_factor=1)

            def only_local(route: Route) -> None:
                (route.continue_ if urlsplit(route.request.url).hostname == "127.0.0.1" else route.abort)()

            context.route("**/*", only_local)
            page = context.new_page()
            page.goto(base + "/login")
            page.fill('input[name="username"]', "alice")
            page.fill('input[name="password"]', password)
            page.click('button[type="submit"]')
            page.wait_for_load_state("networkidle")
            for name, path in PAGES:
                if path is None:
                    page.goto(base + "/findings")
                    link = page.locator('main a[href^="/findings/"]').first
                    if link.count() == 0:
                        print("no finding link on /findings: skipped the detail page", file=sys.stderr)
                        continue
                    link.click()
                else:
                    page.goto(base + path)
                page.wait_for_load_state("networkidle")
                target = args.out / f"server-{name}.png"
                page.screenshot(path=str(target), full_page=False)
                print(f"{target}  ({page.url.replace(base, '')})")
            browser.close()
        server.should_exit = True
        thread.join(timeout=10)
        app.state.store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
