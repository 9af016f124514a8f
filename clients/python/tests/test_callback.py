"""LayerLabCallback driven by a loop that calls callbacks the way the Hugging Face Trainer does, with a
LISA layer switcher written like LMFlow's (it only flips requires_grad; LayerLab is told nothing)."""
import random
from types import SimpleNamespace

import pytest
import torch

from layerlab import LayerLabCallback
from conftest import ADMIN
from models import LlamaForCausalLM


class LisaSwitcher:
    """Every `interval` steps, freeze every block and unfreeze `gamma` random ones (LMFlow's habit)."""

    def __init__(self, model, gamma, interval, seed, reset):
        self.layers = model.model.layers
        self.gamma, self.interval, self.reset = gamma, interval, reset
        self.rng = random.Random(seed)
        self.draws = []

    def on_step_begin(self, args, state, control, optimizer=None, **kwargs):
        if state.global_step % self.interval:
            return
        active = sorted(self.rng.sample(range(len(self.layers)), self.gamma))
        for i, layer in enumerate(self.layers):
            for p in layer.parameters():
                p.requires_grad_(i in active)
        if self.reset:
            optimizer.state.clear()
        self.draws.append((state.global_step + 1, active))

    def __getattr__(self, name):
        if name.startswith("on_"):
            return lambda *a, **k: None
        raise AttributeError(name)


class MiniTrainer:
    """The Trainer's order of events around each optimizer step (transformers 4.4x)."""

    def __init__(self, model, callbacks, max_steps, logging_steps=1, eval_steps=4):
        self.model, self.callbacks, self.max_steps = model, callbacks, max_steps
        self.args = SimpleNamespace(max_steps=max_steps, learning_rate=0.01, logging_steps=logging_steps,
                                    output_dir="out", to_dict=None)
        self.args.to_dict = lambda: {k: v for k, v in vars(self.args).items() if k != "to_dict"}
        self.eval_steps = eval_steps
        self.state = SimpleNamespace(global_step=0, epoch=0.0)
        self.control = SimpleNamespace()
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=0.01)

    def event(self, name, **kwargs):
        for cb in self.callbacks:
            getattr(cb, name)(self.args, self.state, self.control, model=self.model, optimizer=self.optimizer,
                              **kwargs)

    def loss(self, ids):
        return torch.nn.functional.cross_entropy(self.model(ids)[:, :-1].flatten(0, 1), ids[:, 1:].flatten())

    def train(self):
        g = torch.Generator().manual_seed(0)
        self.event("on_train_begin")
        for _ in range(self.max_steps):
            self.event("on_step_begin")
            loss = self.loss(torch.randint(0, 32, (4, 8), generator=g))
            loss.backward()
            self.event("on_pre_optimizer_step")
            self.optimizer.step()
            self.event("on_optimizer_step")
            self.optimizer.zero_grad(set_to_none=True)
            self.state.global_step += 1
            self.state.epoch = self.state.global_step / self.max_steps
            self.event("on_step_end")
            self.event("on_log", logs={"loss": loss.item(), "learning_rate": 0.01, "grad_norm": 1.5,
                                       "epoch": self.state.epoch})
            if self.state.global_step % self.eval_steps == 0:
                with torch.no_grad():
                    ev = self.loss(torch.randint(0, 32, (4, 8), generator=g)).item()
                self.event("on_log", logs={"eval_loss": ev, "eval_runtime": 0.01, "epoch": self.state.epoch})
                self.event("on_evaluate", metrics={"eval_loss": ev})
        self.event("on_log", logs={"train_runtime": 1.25, "train_loss": 3.0, "total_flos": 1.0})
        self.event("on_train_end")


@pytest.mark.parametrize("reset", [False, True])
def test_callback_logs_trainer_values_norms_and_lisa_periods(server, tmp_path, reset):
    torch.manual_seed(0)
    model = LlamaForCausalLM(n=4)
    switcher = LisaSwitcher(model, gamma=2, interval=3, seed=7, reset=reset)
    cb = LayerLabCallback(norms_every=2, url=server.url, token=ADMIN, label="callback", dir=str(tmp_path / "run"))
    MiniTrainer(model, [switcher, cb], max_steps=9).train()
    run_id = cb.run.id
    assert cb.run.closed

    periods = server.get("/api/runs/%s/periods" % run_id)
    assert [(p["step"], p["active"]) for p in periods["periods"]] == switcher.draws
    assert [p["period"] for p in periods["periods"]] == [0, 1, 2]
    assert [p["reset"] for p in periods["periods"][1:]] == [reset, reset]
    assert periods["blocks"] == 4

    loss = server.get("/api/runs/%s/series?key=train/loss" % run_id)["buckets"]
    assert [b["firstStep"] for b in loss] == list(range(1, 10))
    assert [b["firstStep"] for b in server.get("/api/runs/%s/series?key=eval/ppl" % run_id)["buckets"]] == [4, 8]
    assert server.get("/api/runs/%s/series?key=lr" % run_id)["buckets"][0]["mean"] == 0.01

    norms = server.get("/api/runs/%s/norms?quantity=trainable&agg=matrix" % run_id)
    assert norms["groups"] == ["embed", "block.0", "block.1", "block.2", "block.3", "lnf", "head"]
    measured = [c["fromStep"] for j, c in enumerate(norms["columns"]) if norms["values"][0][j] is not None]
    assert measured == [0, 2, 4, 6, 8, 9]
    # At step 8 (period 2, steps 7-9) only that period's blocks have a gradient and trainable weights.
    at8 = server.get("/api/runs/%s/norms?quantity=grad&agg=step&step=8" % run_id)["groups"]
    with_grad = [r["group"] for r in at8 if r["step"] == 8]
    trainable = server.get("/api/runs/%s/norms?quantity=trainable&agg=step&step=8" % run_id)["groups"]
    active = ["block.%d" % i for i in switcher.draws[2][1]]
    assert with_grad == ["embed"] + active + ["lnf", "head"]
    assert [r["group"] for r in trainable if r["value"] > 0] == with_grad

    run = server.get("/api/runs/%s" % run_id)
    assert run["status"] == "finished"
    assert run["summary"]["steps"] == 9 and run["summary"]["wall_s"] == 1.25
    assert run["config"]["max_steps"] == 9


def test_full_fine_tuning_records_no_lisa_period(server, tmp_path):
    model = LlamaForCausalLM(n=2)
    cb = LayerLabCallback(norms_every=0, url=server.url, token=ADMIN, dir=str(tmp_path / "full"))
    MiniTrainer(model, [cb], max_steps=3).train()
    assert server.get("/api/runs/%s/periods" % cb.run.id)["periods"] == []


def test_only_the_main_process_reports(tmp_path):
    model = LlamaForCausalLM(n=2)
    cb = LayerLabCallback(url="http://127.0.0.1:9", dir=str(tmp_path / "never"))
    trainer = MiniTrainer(model, [cb], max_steps=2)
    trainer.state.is_world_process_zero = False
    trainer.train()
    assert cb.run is None and not (tmp_path / "never").exists()
