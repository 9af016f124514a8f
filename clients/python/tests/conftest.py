"""A real LayerLab server for the tests: `next start` on the app's build (scripts/python-tests.ts makes it
when missing or stale), a fresh data home and a free port, with an admin token."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..")))

ADMIN = "admin-token-for-tests"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self):
        self.home = tempfile.mkdtemp(prefix="layerlab-py-")
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.admin = ADMIN
        self.proc = None

    def start(self):
        if not os.path.exists(os.path.join(ROOT, ".next", "BUILD_ID")):
            raise RuntimeError("no build of the app in %s/.next: run `npm run test:python` (it builds first)" % ROOT)
        env = dict(os.environ, LAYERLAB_HOME=self.home, PORT=str(self.port), LAYERLAB_ADMIN_TOKEN=ADMIN,
                   NEXT_TELEMETRY_DISABLED="1")
        for key in [k for k in env if k.startswith("LAYERLAB_") and k not in ("LAYERLAB_HOME", "LAYERLAB_ADMIN_TOKEN")]:
            env.pop(key)
        log = open(os.path.join(self.home, "server.log"), "ab")
        self.proc = subprocess.Popen(
            [os.path.join(ROOT, "node_modules", ".bin", "next"), "start", "-H", "127.0.0.1", "-p", str(self.port)],
            cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=2) as res:
                    if res.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server on %s did not start:\n%s" % (self.url, self.log()))

    def kill(self, sig=signal.SIGKILL):
        if self.proc is None:
            return
        os.killpg(self.proc.pid, sig)
        self.proc.wait()
        self.proc = None

    def log(self):
        with open(os.path.join(self.home, "server.log"), encoding="utf-8", errors="replace") as f:
            return f.read()

    def get(self, path):
        """GET with the admin token; the JSON answer."""
        req = urllib.request.Request(self.url + path, headers={"Authorization": "Bearer " + ADMIN})
        with urllib.request.urlopen(req, timeout=30) as res:
            return json.loads(res.read().decode("utf-8"))


@pytest.fixture(scope="session")
def server():
    s = Server()
    s.start()
    yield s
    s.kill(signal.SIGTERM)
    shutil.rmtree(s.home, ignore_errors=True)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No test sees the environment contract of whatever launched pytest; runs default into tmp_path."""
    for key in list(os.environ):
        if key.startswith("LAYERLAB_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
