"""examples/torch-lisa/train.py as a command sweep runs it: events appended to LAYERLAB_EVENTS_FILE, checkpoints
in LAYERLAB_RUN_DIR, and a SIGKILLed run resumed with LAYERLAB_RESUME=1 (no server needed)."""
import json
import os
import signal
import subprocess
import sys
import time

from conftest import ROOT

SCRIPT = os.path.join(ROOT, "examples", "torch-lisa", "train.py")


def start(run_dir, *flags, resume=False):
    env = dict(os.environ, LAYERLAB_RUN_DIR=str(run_dir), LAYERLAB_EVENTS_FILE=str(run_dir / "events.ndjson"),
               LAYERLAB_RUN_ID="r-test", PYTHONDONTWRITEBYTECODE="1")
    if resume:
        env["LAYERLAB_RESUME"] = "1"
    run_dir.mkdir(exist_ok=True)
    return subprocess.Popen([sys.executable, SCRIPT, *flags], cwd=str(run_dir), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def run(run_dir, *flags, resume=False):
    p = start(run_dir, *flags, resume=resume)
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    return events(run_dir)


def events(run_dir):
    with open(run_dir / "events.ndjson") as f:
        return [json.loads(line) for line in f if line.endswith("\n")]


def of(evs, kind):
    return [e for e in evs if e["type"] == kind]


def test_a_lisa_run_reports_periods_norms_and_frozen_blocks_stay_untouched(tmp_path):
    evs = run(tmp_path, "--use_lisa=1", "--lisa_activated_layers=1", "--lisa_interval_steps=5", "--max_steps=10",
              "--seed=3", "--optimizer_state=reset_blocks")
    started = of(evs, "run_started")[0]
    assert started["config"]["method"] == "lisa" and started["config"]["gamma"] == 1
    periods = of(evs, "lisa_period")
    assert [(p["step"], p["period"], len(p["active"]), p["reset"]) for p in periods] == \
        [(1, 0, 1, False), (6, 1, 1, True)]
    assert periods[1]["reset_scope"] == "blocks"
    assert [e["step"] for e in of(evs, "metrics")] == list(range(1, 11))
    assert [e["step"] for e in of(evs, "eval")] == [0, 10]
    last = of(evs, "layer_norms")[-1]
    assert last["step"] == 10
    drawn = {b for p in periods for b in p["active"]}
    for name, g in last["groups"].items():
        if name.startswith("block."):
            assert (g["update"] > 0) == (int(name[6:]) in drawn), name  # never drawn: never changed
        else:
            assert g["update"] > 0 and g["trainable"] > 0, name  # embed, pos, lnf, head always train
    assert last["groups"]["head"]["weight"] == last["groups"]["embed"]["weight"]  # tied, as in GPT-2
    assert of(evs, "finished")[0]["summary"]["final/eval_loss"] == of(evs, "eval")[-1]["values"]["eval/loss"]


def test_a_full_run_trains_every_block_and_draws_no_periods(tmp_path):
    evs = run(tmp_path, "--method=full", "--max_steps=4", "--lisa_interval_steps=2")
    assert of(evs, "lisa_period") == [] and of(evs, "run_started")[0]["config"]["method"] == "full"
    assert all(g["update"] > 0 for g in of(evs, "layer_norms")[-1]["groups"].values())


def test_a_sigkilled_run_resumes_from_its_checkpoint_without_lost_or_repeated_steps(tmp_path):
    flags = ("--method=lisa", "--gamma=2", "--interval=4", "--steps=120", "--save_steps=7", "--eval_steps=10",
             "--seed=2")
    whole = run(tmp_path / "whole", *flags)

    p = start(tmp_path / "killed", *flags)
    deadline = time.monotonic() + 240
    step = 0
    while step < 30 and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.02)
        steps = [e["step"] for e in of(events(tmp_path / "killed"), "metrics")] if os.path.exists(
            tmp_path / "killed" / "events.ndjson") else []
        step = max(steps, default=0)
    assert p.poll() is None, "the run ended before it could be killed: %s" % p.stderr.read()
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    before = events(tmp_path / "killed")
    assert of(before, "finished") == [] and 30 <= max(e["step"] for e in of(before, "metrics")) < 120

    after = run(tmp_path / "killed", *flags, resume=True)
    starts = of(after, "run_started")
    assert len(starts) == 2 and starts[1]["resumedFrom"] >= 30
    assert [e["seq"] for e in after] == list(range(len(after)))
    for kind in ("metrics", "eval", "lisa_period", "layer_norms", "finished"):
        got = [(e["step"], e.get("values"), e.get("active"), e.get("groups")) for e in of(after, kind)]
        want = [(e["step"], e.get("values"), e.get("active"), e.get("groups")) for e in of(whole, kind)]
        assert got == want, kind  # each step once, with the values of the uninterrupted run


def test_bad_flags_are_refused_with_the_flag_named(tmp_path):
    p = start(tmp_path, "--lisa_activated_layers=7", "--use_lisa=1")
    _, err = p.communicate(timeout=120)
    assert p.returncode == 2 and "--lisa_activated_layers must be between 1 and --n_layer (6), got 7" in err
    p = start(tmp_path, "--use_lisa=1", "--method=full")
    _, err = p.communicate(timeout=120)
    assert p.returncode == 2 and "--use_lisa 1 contradicts --method full" in err
