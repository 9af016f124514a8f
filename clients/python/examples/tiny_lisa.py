"""A tiny byte-level GPT-2-shaped model fine-tuned with LISA in plain PyTorch, reported to LayerLab.

    PYTHONPATH=clients/python /usr/bin/python3 clients/python/examples/tiny_lisa.py --url http://127.0.0.1:3000
    ... --offline            # no server: keep the run in ./layerlab-runs/…, then `python -m layerlab sync DIR`

Inside a program a LayerLab server launched, `layerlab.init()` needs no arguments (docs/python.md).
"""
import argparse
import math
import random

import torch
from torch import nn

import layerlab

TEXT = ("Anna has 12 cups and gets 3 more, so she has 15 cups. The capital of France is Paris. " * 20).encode()


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, mask):
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class TinyGPT(nn.Module):
    """transformer.wte / wpe / h.N / ln_f and lm_head: the names LayerLab groups as embed, pos, block.N, lnf, head."""

    def __init__(self, d=32, layers=4, heads=4, ctx=32):
        super().__init__()
        self.transformer = nn.Module()
        self.transformer.wte, self.transformer.wpe = nn.Embedding(256, d), nn.Embedding(ctx, d)
        self.transformer.h = nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.transformer.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, 256, bias=False)

    def forward(self, ids):  # [B, T] -> [B, T, 256]
        t = self.transformer
        T = ids.shape[1]
        mask = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
        x = t.wte(ids) + t.wpe(torch.arange(T))
        for block in t.h:
            x = block(x, mask)
        return self.lm_head(t.ln_f(x))


def batch(rng, size=8, ctx=32):
    starts = [rng.randrange(len(TEXT) - ctx - 1) for _ in range(size)]
    rows = torch.tensor([list(TEXT[s:s + ctx + 1]) for s in starts])
    return rows[:, :-1], rows[:, 1:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url")
    ap.add_argument("--token", help="admin token, when the server has one")
    ap.add_argument("--offline", action="store_true")
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--gamma", type=int, default=1)
    ap.add_argument("--interval", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    rng, sampler = random.Random(a.seed), random.Random(a.seed + 1)
    config = {"method": "lisa", "gamma": a.gamma, "interval": a.interval, "seed": a.seed, "steps": a.steps}
    run = layerlab.init(url=a.url, token=a.token, label="tiny lisa γ=%d K=%d" % (a.gamma, a.interval),
                        config=config, kind="lisa", mode="offline" if a.offline else None)
    model = TinyGPT()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    run.layer_norms(model, 0)  # W₀ is kept from here
    for step in range(1, a.steps + 1):
        if (step - 1) % a.interval == 0:  # LISA: freeze every block, unfreeze γ of them; fresh AdamW per period
            active = sorted(sampler.sample(range(len(model.transformer.h)), a.gamma))
            for i, block in enumerate(model.transformer.h):
                block.requires_grad_(i in active)
            opt.state.clear()
            run.lisa_period(active, step, reset=step > 1, reset_scope="all" if step > 1 else None)
        x, y = batch(rng)
        loss = nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
        loss.backward()
        opt.step()
        run.layer_norms(model, step, every=10)  # after the update, before zero_grad: gradients are measured too
        opt.zero_grad(set_to_none=True)
        run.log({"train/loss": loss.item(), "lr": 3e-3}, step)
        if step % 20 == 0 or step == a.steps:
            with torch.no_grad():
                x, y = batch(rng)
                ev = nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten()).item()
            run.log_eval({"eval/loss": ev, "eval/ppl": math.exp(ev)}, step)
    run.finish({"final/eval_loss": ev, "steps": a.steps})
    print("run %s" % (run.id or run.dir))


if __name__ == "__main__":
    main()
