import os
import subprocess
import sys

from conftest import ADMIN

CLIENT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def test_the_example_script_reports_a_lisa_run(server, tmp_path):
    res = subprocess.run(
        [sys.executable, os.path.join(CLIENT, "examples", "tiny_lisa.py"), "--url", server.url, "--token", ADMIN,
         "--steps", "20", "--interval", "5", "--gamma", "2"],
        cwd=str(tmp_path), env=dict(os.environ, PYTHONPATH=CLIENT), capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    run_id = res.stdout.strip().split()[-1]
    periods = server.get("/api/runs/%s/periods" % run_id)["periods"]
    assert [p["step"] for p in periods] == [1, 6, 11, 16] and all(len(p["active"]) == 2 for p in periods)
    assert [p["reset"] for p in periods] == [False, True, True, True]
    norms = server.get("/api/runs/%s/norms?quantity=update&agg=last" % run_id)["groups"]
    assert [g["group"] for g in norms] == ["embed", "pos", "block.0", "block.1", "block.2", "block.3", "lnf", "head"]
    assert all(g["step"] == 20 and g["value"] > 0 for g in norms)
    run = server.get("/api/runs/%s" % run_id)
    assert run["status"] == "finished" and run["kind"] == "lisa" and run["gamma"] == 2
