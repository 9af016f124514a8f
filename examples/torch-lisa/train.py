"""LISA fine-tuning of a tiny GPT-2-shaped model in plain PyTorch, reported to LayerLab (examples/torch-lisa).

LISA as LMFlow's DynamicLayerActivationCallback does it: the embedding, position embedding, final LayerNorm and
(tied) head always train; before step 1 and every `--lisa_interval_steps` steps after, every block is frozen and
`--lisa_activated_layers` blocks drawn uniformly without replacement are unfrozen. One AdamW over all parameters
is built before the first draw; a frozen block has no gradient, so AdamW skips it. `--optimizer_state` says what
happens to the moments at a switch: `reset_blocks` (default, as LayerLab's trainer and LMFlow's LISATrainer: every
block's state is dropped, the always-trained groups keep theirs), `keep` (LMFlow's callback: a block drawn again
resumes its m, v and t) or `reset_all` (a fresh AdamW per period, as the paper's per-period jobs).

Flags use LMFlow's names (`--use_lisa 1 --lisa_activated_layers 2 --lisa_interval_steps 20 --learning_rate …`);
LayerLab's names (`--method lisa --gamma 2 --interval 20 --lr … --steps …`) work too. Inside a LayerLab command
sweep `layerlab.init()` reads the environment; it checkpoints into $LAYERLAB_RUN_DIR and resumes from there when
LAYERLAB_RESUME=1, without logging a step twice. Standalone: `--offline` keeps the run in ./layerlab-runs/.
"""
import argparse
import math
import os
import random
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F

try:
    import layerlab
except ImportError:  # run from the repository without installing the client
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "clients", "python"))
    import layerlab
from layerlab.norms import NormTracker

# ---- data: generated instruction/answer text, character level (no downloads) ---------------------------------
VOCAB = sorted(set("abcdefghijklmnopqrstuvwxyz0123456789+=>:; \n"))
STOI = {c: i for i, c in enumerate(VOCAB)}


def make_text(seed, records):
    rng, out = random.Random(seed), []
    for _ in range(records):
        if rng.random() < 0.5:
            a, b = rng.randrange(100), rng.randrange(100)
            out.append("add %d+%d => %d;\n" % (a, b, a + b))
        else:
            w = "".join(rng.choice("abcdefghij") for _ in range(rng.randint(3, 6)))
            out.append("sort %s => %s;\n" % (w, "".join(sorted(w))))
    return torch.tensor([STOI[c] for c in "".join(out)], dtype=torch.long)


TRAIN, HELD_OUT = make_text(0, 4000), make_text(1, 400)  # the same data for every run; the seed varies the order


def windows(data, starts, block):  # [B] -> x, y: [B, T]
    rows = torch.stack([data[s:s + block + 1] for s in starts.tolist()])
    return rows[:, :-1], rows[:, 1:]


def train_batch(seed, step, batch, block):  # a pure function of (seed, step): a resumed run sees the same batches
    g = torch.Generator().manual_seed(seed * 1_000_003 + step)
    return windows(TRAIN, torch.randint(len(TRAIN) - block - 1, (batch,), generator=g), block)


# ---- model: transformer.wte / wpe / h.N / ln_f and a tied lm_head, as Hugging Face's GPT2LMHeadModel -----------
class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads, self.c_attn, self.c_proj = heads, nn.Linear(d, 3 * d), nn.Linear(d, d)

    def forward(self, x):  # [B, T, d]
        B, T, d = x.shape
        q, k, v = (t.view(B, T, self.heads, d // self.heads).transpose(1, 2) for t in self.c_attn(x).split(d, 2))
        att = (q @ k.transpose(-1, -2)) / math.sqrt(d // self.heads)  # [B, H, T, T]
        att = att.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf")).softmax(-1)
        return self.c_proj((att @ v).transpose(1, 2).reshape(B, T, d))


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_fc, self.c_proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln_1, self.attn, self.ln_2, self.mlp = nn.LayerNorm(d), Attention(d, heads), nn.LayerNorm(d), MLP(d)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class TinyGPT2(nn.Module):
    def __init__(self, vocab, ctx, d, layers, heads):
        super().__init__()
        self.transformer = nn.Module()
        self.transformer.wte, self.transformer.wpe = nn.Embedding(vocab, d), nn.Embedding(ctx, d)
        self.transformer.h = nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.transformer.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head.weight = self.transformer.wte.weight
        for m in self.modules():  # GPT-2's initialisation
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.zeros_(m.bias)

    def forward(self, ids, targets):  # [B, T] -> mean cross-entropy
        t = self.transformer
        x = t.wte(ids) + t.wpe(torch.arange(ids.shape[1]))
        for block in t.h:
            x = block(x)
        return F.cross_entropy(self.lm_head(t.ln_f(x)).flatten(0, 1), targets.flatten())


# ---- flags -----------------------------------------------------------------------------------------------------
def flag(value):
    v = str(value).strip().lower()
    if v not in ("1", "0", "true", "false", "yes", "no"):
        raise argparse.ArgumentTypeError("expected 1/0/true/false, got %r" % value)
    return v in ("1", "true", "yes")


def parse(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], allow_abbrev=False)
    ap.add_argument("--method", choices=["full", "lisa"], help="default: lisa with --use_lisa 1, else full")
    ap.add_argument("--use_lisa", type=flag, default=None)
    ap.add_argument("--lisa_activated_layers", "--gamma", dest="gamma", type=int, default=2)
    ap.add_argument("--lisa_interval_steps", "--lisa_step_interval", "--interval", dest="interval", type=int,
                    default=20)
    ap.add_argument("--optimizer_state", choices=["reset_blocks", "keep", "reset_all"],
                    default="reset_blocks")
    ap.add_argument("--learning_rate", "--lr", dest="lr", type=float, default=3e-3)
    ap.add_argument("--lr_scheduler_type", choices=["cosine", "constant"], default="cosine")
    ap.add_argument("--weight_decay", type=float, default=0.0)
    ap.add_argument("--max_steps", "--steps", dest="steps", type=int, default=60)
    ap.add_argument("--per_device_train_batch_size", "--batch", dest="batch", type=int, default=8)
    ap.add_argument("--block_size", "--seq", dest="seq", type=int, default=32)
    ap.add_argument("--n_layer", type=int, default=6)
    ap.add_argument("--n_embd", type=int, default=32)
    ap.add_argument("--n_head", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1, help="data order and LISA draws (the initial model is fixed)")
    ap.add_argument("--eval_steps", "--eval_every", dest="eval_every", type=int, default=20)
    ap.add_argument("--norms_every", type=int, default=10)
    ap.add_argument("--save_steps", "--checkpoint_every", dest="save_every", type=int, default=10)
    ap.add_argument("--output_dir", help="checkpoints (default: the run directory, else ./output)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--offline", action="store_true", help="no server: keep the run in ./layerlab-runs/")
    a = ap.parse_args(argv)
    method = a.method or ("lisa" if a.use_lisa else "full")
    if a.use_lisa is not None and a.use_lisa != (method == "lisa"):
        ap.error("--use_lisa %d contradicts --method %s" % (a.use_lisa, method))
    if method == "lisa" and not 1 <= a.gamma <= a.n_layer:
        ap.error("--lisa_activated_layers must be between 1 and --n_layer (%d), got %d" % (a.n_layer, a.gamma))
    for name in ("interval", "steps", "batch", "seq", "n_layer", "eval_every", "norms_every", "save_every", "threads"):
        if getattr(a, name) < 1:
            ap.error("--%s must be at least 1, got %d" % (name, getattr(a, name)))
    if a.n_embd % a.n_head:
        ap.error("--n_embd (%d) must be a multiple of --n_head (%d)" % (a.n_embd, a.n_head))
    a.method = method
    return a


# ---- training --------------------------------------------------------------------------------------------------
def lr_at(a, step):
    if a.lr_scheduler_type == "constant":
        return a.lr
    return a.lr * 0.5 * (1 + math.cos(math.pi * (step - 1) / max(1, a.steps)))


@torch.no_grad()
def evaluate(model, a):
    starts = torch.arange(0, len(HELD_OUT) - a.seq - 1, (len(HELD_OUT) - a.seq - 1) // 16)[:16]
    return model(*windows(HELD_OUT, starts, a.seq)).item()


def draw(a, period):  # uniform, without replacement; a pure function of (seed, period)
    return sorted(random.Random("lisa draw %d %d" % (a.seed, period)).sample(range(a.n_layer), a.gamma))


def switch(model, opt, a, active, first):
    blocks = model.transformer.h
    for i, block in enumerate(blocks):
        block.requires_grad_(i in active)
    if first or a.optimizer_state == "keep":
        return False
    in_blocks = {id(p) for p in blocks.parameters()}
    for p in [p for p in opt.state if a.optimizer_state == "reset_all" or id(p) in in_blocks]:
        del opt.state[p]
    return True


def main():
    a = parse()
    torch.set_num_threads(a.threads)
    config = {"method": a.method, "seed": a.seed, "steps": a.steps, "lr": a.lr, "batch": a.batch, "seq": a.seq,
              "n_layer": a.n_layer, "n_embd": a.n_embd, "n_head": a.n_head}
    if a.method == "lisa":
        config.update(gamma=a.gamma, interval=a.interval, optimizer_state=a.optimizer_state)
    run = layerlab.init(config=config, kind=a.method, label="torch %s" % a.method,
                        mode="offline" if a.offline else None)
    torch.manual_seed(0)  # the same initial model for every run, standing in for a pretrained checkpoint
    model = TinyGPT2(len(VOCAB), a.seq, a.n_embd, a.n_layer, a.n_head)
    norms = NormTracker(model)  # keeps W₀ (before any update) on the CPU
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.weight_decay)
    a.output_dir = a.output_dir or run.dir or "output"  # run.dir: $LAYERLAB_RUN_DIR, or the offline run's
    os.makedirs(a.output_dir, exist_ok=True)
    ckpt = os.path.join(a.output_dir, "checkpoint.pt")
    done = run.resumed_steps  # a resumed run: event type -> last step already in its events file

    def new(kind, step):  # steps replayed after a resume are computed again but not logged twice
        return step > done.get(kind, -1)

    start, active = 1, None
    if run.resumed_from is not None and os.path.exists(ckpt):
        state = torch.load(ckpt)
        model.load_state_dict(state["model"])
        start, active = state["step"] + 1, state["active"]
        if active is not None:
            switch(model, opt, a, active, True)
        opt.load_state_dict(state["optimizer"])  # after requires_grad is set, as it was when saved
        print("resuming after step %d; events were logged up to step %d" % (start - 1, run.resumed_from),
              file=sys.stderr)

    def log_norms(step):
        if new("layer_norms", step):
            report = norms.measure()
            run.log_norms(report["groups"], step, report["modules"])

    if start == 1:
        log_norms(0)
        if new("eval", 0):
            run.log_eval({"eval/loss": evaluate(model, a)}, 0)
    ev, t0 = None, time.time()
    for step in range(start, a.steps + 1):
        if a.method == "lisa" and (step - 1) % a.interval == 0:
            period = (step - 1) // a.interval
            active = draw(a, period)
            reset = switch(model, opt, a, active, period == 0)
            if new("lisa_period", step):
                scope = {"reset_blocks": "blocks", "reset_all": "all"}.get(a.optimizer_state) if reset else None
                run.lisa_period(active, step, reset=reset, period=period, reset_scope=scope)
        for group in opt.param_groups:
            group["lr"] = lr_at(a, step)
        loss = model(*train_batch(a.seed, step, a.batch, a.seq))
        loss.backward()
        opt.step()
        if step % a.norms_every == 0 or step == a.steps:
            log_norms(step)  # after the update, before zero_grad: the gradients are measured too
        opt.zero_grad(set_to_none=True)
        if new("metrics", step):
            run.log({"train/loss": loss.item(), "lr": lr_at(a, step)}, step)
        if step % a.eval_every == 0 or step == a.steps:
            ev = evaluate(model, a)
            if new("eval", step):
                run.log_eval({"eval/loss": ev, "eval/ppl": math.exp(ev)}, step)
        if step % a.save_every == 0 or step == a.steps:
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step, "active": active},
                       ckpt + ".tmp")
            os.replace(ckpt + ".tmp", ckpt)
    if ev is None:  # resumed from the last checkpoint, after the last step
        ev = evaluate(model, a)
    run.finish({"final/eval_loss": ev, "steps": a.steps, "wall_s": time.time() - t0})
    print("run %s" % (run.id or run.dir))


if __name__ == "__main__":
    main()
