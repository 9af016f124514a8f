import json
import math
import os
import subprocess
import sys

import pytest

import layerlab
from layerlab import protocol, transport
from conftest import ADMIN

CLIENT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
KEYS = ["train/loss", "lr", "eval/loss"]
QUANTITIES = ["weight", "update", "trainable", "grad"]


def cli(*args, env=None):
    env = dict(os.environ, PYTHONPATH=CLIENT, **(env or {}))
    return subprocess.run([sys.executable, "-m", "layerlab", *args], env=env, capture_output=True, text=True)


def play(run):
    """The same run, whatever the transport: NaN / ±Infinity included."""
    run.lisa_period([0, 2], step=1)
    for step in range(1, 31):
        loss = {7: math.nan, 8: math.inf, 9: -math.inf}.get(step, 3.0 / step)
        run.log({"train/loss": loss, "lr": 1e-3 * step}, step)
        if step % 10 == 0:
            run.log_eval({"eval/loss": 2.0 / step}, step)
            norms = {g: {"weight": step + i, "update": 0.1 * step, "trainable": i, "grad": 0.5}
                     for i, g in enumerate(["embed", "block.0", "block.1", "head"])}
            norms["block.1"].pop("grad")
            run.log_norms(norms, step, modules={"block.0/attn.q": {"weight": 1, "update": 0, "trainable": 1}})
        if step == 16:
            run.lisa_period([1, 3], step=step, reset=True, reset_scope="blocks")
    run.finish({"final/train_loss": 0.1, "odd": math.nan})


def stored(server, run_id):
    """Everything the server's read API gives for a run, minus ids and times."""
    out = {"series": {k: server.get("/api/runs/%s/series?key=%s&points=10000" % (run_id, k))["buckets"]
                      for k in KEYS}}
    for q in QUANTITIES:
        m = server.get("/api/runs/%s/norms?quantity=%s&agg=matrix&modules=1" % (run_id, q))
        m.pop("runId", None)
        out["norms/" + q] = m
    out["periods"] = server.get("/api/runs/%s/periods" % run_id)["periods"]
    run = server.get("/api/runs/%s" % run_id)
    out["status"] = run.get("status") or run.get("run", {}).get("status")
    out["summary"] = run.get("summary") or run.get("run", {}).get("summary")
    return out


def test_values_are_checked_before_anything_is_written():
    assert protocol.values_dict({"a": math.nan, "b": -math.inf, "c": 2}) == {"a": "NaN", "b": "-Infinity", "c": 2.0}
    with pytest.raises(ValueError, match="'x' is not a number"):
        protocol.values_dict({"x": "high"})
    with pytest.raises(ValueError, match="metric key"):
        protocol.values_dict({"": 1})
    with pytest.raises(ValueError, match="non-negative integer"):
        protocol.check_step(-1)


def test_online_and_offline_then_sync_store_the_same_series(server, tmp_path):
    online = layerlab.init(url=server.url, token=ADMIN, label="online", dir=str(tmp_path / "on"))
    play(online)
    offline = layerlab.init(url=server.url, label="offline", mode="offline", dir=str(tmp_path / "off"))
    assert offline.id is None
    play(offline)

    res = cli("sync", str(tmp_path / "off"), env={"LAYERLAB_ADMIN_TOKEN": ADMIN})
    assert res.returncode == 0, res.stderr
    assert "(40 new, 0 already stored)" in res.stdout
    off_id = json.load(open(tmp_path / "off" / "layerlab-run.json"))["runId"]
    want, got = stored(server, online.id), stored(server, off_id)
    assert want["series"]["train/loss"][6]["nanCount"] == 1 and want["series"]["train/loss"][7]["max"] == "Infinity"
    assert want["status"] == "finished" and len(want["periods"]) == 2
    assert got == want

    again = cli("sync", str(tmp_path / "off"), env={"LAYERLAB_ADMIN_TOKEN": ADMIN})
    assert "(0 new, 40 already stored)" in again.stdout, again.stdout + again.stderr
    assert stored(server, off_id) == want

    with pytest.raises(layerlab.LayerLabError, match="already holds events"):
        layerlab.init(url=server.url, token=ADMIN, dir=str(tmp_path / "on"))
    assert json.load(open(tmp_path / "on" / "layerlab-run.json"))["runId"] == online.id


def test_a_server_restart_loses_nothing(server, tmp_path):
    run = layerlab.init(url=server.url, token=ADMIN, dir=str(tmp_path / "r"), finish_timeout=1.0, flush_interval=0)
    for step in range(0, 10):
        run.log({"train/loss": float(step)}, step)
    assert run.flush() == 0
    server.kill()
    for step in range(10, 20):
        run.log({"train/loss": float(step)}, step)
    assert run.flush(timeout=0.5) == 10  # the server is really gone: they wait in the buffer
    server.start()
    for step in range(20, 30):
        run.log({"train/loss": float(step)}, step)
    assert run.flush() == 0
    server.kill()
    for step in range(30, 40):
        run.log({"train/loss": float(step)}, step)
    run.finish({"steps": 39})  # cannot reach the server within finish_timeout: left for sync
    server.start()
    res = cli("sync", str(tmp_path / "r"))
    assert res.returncode == 0, res.stderr
    buckets = server.get("/api/runs/%s/series?key=train/loss&points=10000" % run.id)["buckets"]
    assert [(b["firstStep"], b["mean"]) for b in buckets] == [(s, float(s)) for s in range(40)]
    assert server.get("/api/runs/%s" % run.id)["status"] == "finished"


def test_environment_contract_events_file(tmp_path, monkeypatch, server):
    events = tmp_path / "events.ndjson"
    monkeypatch.setenv("LAYERLAB_EVENTS_FILE", str(events))
    monkeypatch.setenv("LAYERLAB_RUN_ID", "r_given")
    run = layerlab.init()
    assert run.mode == "file" and run.id == "r_given"
    run.log({"train/loss": 1.0}, 1)
    run.log({"train/loss": 0.5}, 2)
    with pytest.raises(layerlab.LayerLabError, match="already holds events"):
        layerlab.init()
    monkeypatch.setenv("LAYERLAB_RESUME", "1")
    resumed = layerlab.init()
    resumed.log({"train/loss": 0.25})
    resumed.finish()
    lines = events.read_text().splitlines()
    kinds = [json.loads(x)["type"] for x in lines]
    assert [json.loads(x)["seq"] for x in lines] == list(range(6))
    assert kinds == ["run_started", "metrics", "metrics", "run_started", "metrics", "finished"]
    assert json.loads(lines[3])["resumedFrom"] == 2 and json.loads(lines[4])["step"] == 3
    # What the server's own parser makes of those lines: everything stored, nothing rejected.
    run_id, token = transport.register_run(server.url, ADMIN)
    answer = transport.post_events(server.url, run_id, token, lines)
    assert answer["stored"] == 6 and answer["errors"] == []


def test_environment_contract_url_run_and_token(tmp_path, monkeypatch, server):
    run_id, token = transport.register_run(server.url, ADMIN, label="launched")
    monkeypatch.setenv("LAYERLAB_URL", server.url)
    monkeypatch.setenv("LAYERLAB_RUN_ID", run_id)
    monkeypatch.setenv("LAYERLAB_RUN_TOKEN", token)
    monkeypatch.setenv("LAYERLAB_RUN_DIR", str(tmp_path / "d"))
    run = layerlab.init()
    assert run.mode == "http" and run.id == run_id
    run.log({"train/loss": 2.0}, 5)
    run.fail("diverged", "loss is NaN")
    assert server.get("/api/runs/%s" % run_id)["status"] == "diverged"
    other = layerlab.init(url=server.url, token=ADMIN, dir=str(tmp_path / "e"))
    with pytest.raises(ValueError, match="reason must be one of"):
        other.fail("exploded")
    other.finish()


def test_a_wrong_admin_token_is_a_clear_error(server, tmp_path):
    with pytest.raises(layerlab.LayerLabError, match="401"):
        layerlab.init(url=server.url, token="wrong", dir=str(tmp_path / "x"))


def test_a_resumed_run_sends_what_the_last_process_could_not(tmp_path, monkeypatch, server):
    from conftest import free_port

    run_id, token = transport.register_run(server.url, ADMIN, label="resumed")
    monkeypatch.setenv("LAYERLAB_RUN_ID", run_id)
    monkeypatch.setenv("LAYERLAB_RUN_TOKEN", token)
    monkeypatch.setenv("LAYERLAB_RUN_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("LAYERLAB_URL", "http://127.0.0.1:%d" % free_port())  # nothing listens there
    first = layerlab.init(finish_timeout=0.2)
    for step in range(1, 6):
        first.log({"train/loss": float(step)}, step)
    assert first.flush(timeout=0.2) == 6
    first.fail("cancelled", "preempted")
    monkeypatch.setenv("LAYERLAB_URL", server.url)
    monkeypatch.setenv("LAYERLAB_RESUME", "1")
    second = layerlab.init()
    for step in range(6, 11):
        second.log({"train/loss": float(step)}, step)
    second.finish()
    buckets = server.get("/api/runs/%s/series?key=train/loss" % run_id)["buckets"]
    assert [b["firstStep"] for b in buckets] == list(range(1, 11))
    assert server.get("/api/runs/%s" % run_id)["status"] == "finished"


def test_a_resumed_run_says_up_to_which_step_each_kind_of_event_was_logged(tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERLAB_EVENTS_FILE", str(tmp_path / "events.ndjson"))
    run = layerlab.init()
    assert run.resumed_from is None and run.resumed_steps == {}
    run.lisa_period([0], 1)
    run.log({"train/loss": 1.0}, 1)
    run.log_eval({"eval/loss": 1.0}, 1)
    run.log({"train/loss": 0.5}, 2)
    with open(tmp_path / "events.ndjson", "a") as f:
        f.write('{"v":1,"seq":5,"type":"metrics","step":3,"val')  # a line cut off by a kill
    monkeypatch.setenv("LAYERLAB_RESUME", "1")
    resumed = layerlab.init()
    assert resumed.resumed_from == 2
    assert resumed.resumed_steps == {"lisa_period": 1, "metrics": 2, "eval": 1}
