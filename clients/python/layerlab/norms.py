"""Per-layer norms of a torch module tree, as the built-in trainer records them (docs/trainer.md), for each
layer group (embed, pos, block.i, lnf, head) and each module inside a block (block.i/attn.c_attn …),
L2 over the concatenation of its parameters:
  weight    = ‖W₀ + ΔW‖  the effective weights (LoRA: W + (α/r)·B·A)
  update    = ‖ΔW‖       since the first measurement (LoRA: (α/r)·B·A plus any change of the base weight)
  trainable = ‖parameters with requires_grad‖ (LoRA: the adapters; 0 for a frozen group)
  grad      = ‖∇ of those parameters‖, only when some of them have a gradient
Groups are found from Hugging Face module names (GPT-2 transformer.h.N, Llama / Mistral / Qwen2
model.layers.N, PEFT's base_model.model. prefix and lora_A / lora_B); `group_of` overrides the rule.
Tied weights (GPT-2's lm_head and wte) count in both groups, like the paper's figure.
"""
import math
import re

import torch

BLOCK = re.compile(r"^(?:.*\.)?(?:h|layers|layer|blocks|block)\.(\d+)\.(.+)$")
EMBED = {"wte", "embed_tokens", "word_embeddings", "tok_embeddings", "embed_in", "token_embedding", "tok_emb"}
POS = {"wpe", "embed_positions", "position_embeddings", "pos_emb", "position_embedding"}
FINAL_NORM = {"ln_f", "norm", "final_layernorm", "final_layer_norm", "final_norm", "ln_final"}
HEAD = {"lm_head", "embed_out", "output", "head"}
STRIP_PREFIXES = ("base_model.model.", "_orig_mod.", "module.")
LORA = re.compile(r"^(.*?)\.(lora_A|lora_B|lora_embedding_A|lora_embedding_B)\.([^.]+)(?:\.weight)?$")


def default_group(name):
    """(group, module or None) for a parameter name, or None to leave it out."""
    for prefix in STRIP_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
    parts = name.split(".")
    if "original_module" in parts:
        return None  # PEFT's frozen copy beside modules_to_save: the copy that trains is the layer
    while "modules_to_save" in parts:
        i = parts.index("modules_to_save")
        del parts[i:i + 2]
    parts = [p for p in parts if p != "base_layer"]
    lora = [i for i, p in enumerate(parts) if p.startswith("lora_")]
    owner = parts[: lora[0]] if lora else parts[:-1]  # the module that owns the parameter
    path = ".".join(owner)
    m = BLOCK.match(path + ".")
    if m:
        return "block." + m.group(1), m.group(2).rstrip(".") or None
    last = owner[-1] if owner else parts[-1]
    for group, names in (("embed", EMBED), ("pos", POS), ("lnf", FINAL_NORM), ("head", HEAD)):
        if last in names:
            return group, None
    if "lora_magnitude_vector" in parts:
        return None
    return (path or parts[-1]), None


def _resolve(group_of):
    if group_of is None:
        return default_group
    if isinstance(group_of, dict):
        rules = [(re.compile(k), v) for k, v in group_of.items()]

        def by_rules(name):
            for pattern, template in rules:
                m = pattern.search(name)
                if m:
                    return (m.expand(template), None) if template else None
            return default_group(name)

        return by_rules

    def by_function(name):
        got = group_of(name)
        if got is None or isinstance(got, tuple):
            return got
        return (got, None)

    return by_function


def walk_parameters(module, prefix=""):
    """Every (name, parameter) under every path, shared (tied) parameters included under each of their names."""
    for name, p in module._parameters.items():
        if p is not None:
            yield prefix + name, p
    for name, child in module._modules.items():
        if child is not None:
            yield from walk_parameters(child, prefix + name + ".")


class _Lora:
    def __init__(self, a, b, scale, transpose):
        self.a, self.b, self.scale, self.transpose = a, b, scale, transpose

    def delta(self):
        d = (self.b.detach().float() @ self.a.detach().float()) * self.scale
        return d.t() if self.transpose else d


class NormTracker:
    """Keeps W₀ (on the CPU) and the grouping of one model; `measure()` gives a layer_norms report."""

    def __init__(self, model, group_of=None, track_update=True):
        resolve = _resolve(group_of)
        self.model = model
        self.track_update = track_update
        self.base = []  # (name, param, group, module)
        self.adapters = []  # (param, group, module): LoRA A/B, counted in trainable and grad only
        lora_parts = {}
        for name, p in walk_parameters(model):
            where = resolve(name)
            if where is None:
                continue
            m = LORA.match(name)
            if m:
                lora_parts.setdefault((m.group(1), m.group(3)), {})[m.group(2)] = p
                self.adapters.append((p, where[0], where[1]))
            else:
                self.base.append((name, p, where[0], where[1]))
        self.loras = {}  # base parameter name -> [_Lora]
        for (layer, adapter), parts in lora_parts.items():
            self._add_lora(layer, adapter, parts)
        self.groups = list(dict.fromkeys(g for _, _, g, _ in self.base))
        self.reference = {}
        self.ever_trained = set()
        if track_update:
            for name, p, _, _ in self.base:
                if id(p) not in self.reference:
                    self.reference[id(p)] = p.detach().to("cpu", copy=True)

    def _add_lora(self, layer, adapter, parts):
        embedding = "lora_embedding_A" in parts
        a = parts.get("lora_embedding_A" if embedding else "lora_A")
        b = parts.get("lora_embedding_B" if embedding else "lora_B")
        if a is None or b is None:
            return
        owner = _submodule(self.model, layer)
        active = getattr(owner, "active_adapters", None) or getattr(owner, "active_adapter", None)
        if isinstance(active, str):
            active = [active]
        if active is not None and adapter not in active:
            return
        scaling = getattr(owner, "scaling", None)
        scale = float(scaling.get(adapter, 1.0)) if isinstance(scaling, dict) else 1.0
        transpose = embedding or bool(getattr(owner, "fan_in_fan_out", False))
        target = None
        for name, p, _, _ in self.base:
            if name in (layer + ".base_layer.weight", layer + ".weight"):
                target = name
        if target is not None:
            self.loras.setdefault(target, []).append(_Lora(a, b, scale, transpose))

    def measure(self):
        """{"groups": {group: entry}, "modules": {"block.i/module": entry}} with plain floats."""
        acc = {}

        def add(group, module, field, value):
            keys = [group] + (["%s/%s" % (group, module)] if module else [])
            for key in keys:
                a = acc.setdefault(key, {"weight": 0.0, "update": 0.0, "trainable": 0.0, "grad": 0.0, "trained": False})
                if field == "trained":
                    a["trained"] = True
                else:
                    a[field] += value

        for g in self.groups:
            add(g, None, "weight", 0.0)
        with torch.no_grad():
            for name, p, group, module in self.base:
                w = p.detach().float()
                ref = self.reference.get(id(p))
                if ref is not None:
                    delta = w - ref.to(w.device).float()
                elif p.requires_grad or name in self.ever_trained:
                    delta = None  # it may have changed and W₀ was not kept: unknown
                else:
                    delta = torch.zeros_like(w)  # never trained: only adapters move it
                for lora in self.loras.get(name, []):
                    d = lora.delta().to(w.device)
                    if d.shape != w.shape and d.t().shape == w.shape:
                        d = d.t()
                    w = w + d
                    if delta is not None:
                        delta = delta + d
                add(group, module, "weight", _sq(w))
                add(group, module, "update", math.nan if delta is None else _sq(delta))
                self._trainable(name, p, group, module, add)
            for p, group, module in self.adapters:
                self._trainable(None, p, group, module, add)

        def entry(a):
            e = {"weight": math.sqrt(a["weight"]), "update": math.sqrt(a["update"]),
                 "trainable": math.sqrt(a["trainable"])}
            if a["trained"]:
                e["grad"] = math.sqrt(a["grad"])
            return e

        groups = {k: entry(a) for k, a in acc.items() if "/" not in k}
        modules = {k: entry(a) for k, a in acc.items() if "/" in k}
        return {"groups": groups, "modules": modules}

    def _trainable(self, name, p, group, module, add):
        if not p.requires_grad:
            return
        if name is not None:
            self.ever_trained.add(name)
        add(group, module, "trainable", _sq(p.detach()))
        if p.grad is not None:
            add(group, module, "grad", _sq(p.grad.detach()))
            add(group, module, "trained", 0.0)


def _sq(t):
    return float(t.float().pow(2).sum().item())


def _submodule(model, path):
    m = model
    for part in path.split("."):
        m = getattr(m, "_modules", {}).get(part)
        if m is None:
            return None
    return m


def block_parameters(model, group_of=None):
    """{block index: [parameters]} of the model's blocks (LoRA adapters included), by the same grouping."""
    resolve = _resolve(group_of)
    out = {}
    for name, p in walk_parameters(model):
        where = resolve(name)
        if where and where[0].startswith("block.") and where[0][6:].isdigit():
            out.setdefault(int(where[0][6:]), []).append(p)
    return dict(sorted(out.items()))
