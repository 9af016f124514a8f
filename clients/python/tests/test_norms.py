import math

import torch

from layerlab.norms import NormTracker, block_parameters, default_group
from models import GPT2LMHeadModel, LlamaForCausalLM, PeftModel, sq


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-6)


def test_group_names_of_gpt2_llama_and_peft_trees():
    assert default_group("transformer.wte.weight") == ("embed", None)
    assert default_group("transformer.wpe.weight") == ("pos", None)
    assert default_group("transformer.h.11.attn.c_attn.weight") == ("block.11", "attn.c_attn")
    assert default_group("transformer.ln_f.bias") == ("lnf", None)
    assert default_group("lm_head.weight") == ("head", None)
    assert default_group("model.layers.3.mlp.down_proj.weight") == ("block.3", "mlp.down_proj")
    assert default_group("model.norm.weight") == ("lnf", None)
    assert default_group("model.embed_tokens.weight") == ("embed", None)
    peft = "base_model.model.model.layers.0.self_attn.q_proj."
    assert default_group(peft + "base_layer.weight") == ("block.0", "self_attn.q_proj")
    assert default_group(peft + "lora_A.default.weight") == ("block.0", "self_attn.q_proj")


def test_gpt2_tree_groups_values_and_update():
    torch.manual_seed(0)
    m = GPT2LMHeadModel()
    tracker = NormTracker(m)
    r = tracker.measure()
    assert list(r["groups"]) == ["embed", "pos", "block.0", "block.1", "lnf", "head"]
    t = m.transformer
    assert close(r["groups"]["block.1"]["weight"], math.sqrt(sq(t.h[1].parameters())))
    assert close(r["groups"]["head"]["weight"], r["groups"]["embed"]["weight"])  # tied, like GPT-2
    assert close(r["modules"]["block.0/attn.c_attn"]["weight"], math.sqrt(sq(t.h[0].attn.c_attn.parameters())))
    assert r["groups"]["block.0"]["update"] == 0 and "grad" not in r["groups"]["block.0"]

    # Freeze block 0, train one step: block 0 keeps update 0, trainable 0 and no grad; block 1 moves.
    for p in t.h[0].parameters():
        p.requires_grad_(False)
    before = [p.detach().clone() for p in t.h[1].parameters()]
    opt = torch.optim.SGD([p for p in m.parameters() if p.requires_grad], lr=0.5)
    ids = torch.randint(0, 32, (2, 8))
    torch.nn.functional.cross_entropy(m(ids).flatten(0, 1), ids.flatten()).backward()
    opt.step()
    r = tracker.measure()
    b0, b1 = r["groups"]["block.0"], r["groups"]["block.1"]
    assert b0["update"] == 0 and b0["trainable"] == 0 and "grad" not in b0
    moved = [p.detach() - q for p, q in zip(t.h[1].parameters(), before)]
    assert b1["update"] > 0 and close(b1["update"], math.sqrt(sq(moved)))
    assert close(b1["trainable"], b1["weight"])
    assert close(b1["grad"], math.sqrt(sq(p.grad for p in t.h[1].parameters())))


def test_llama_tree_groups():
    r = NormTracker(LlamaForCausalLM(n=3)).measure()
    assert list(r["groups"]) == ["embed", "block.0", "block.1", "block.2", "lnf", "head"]
    assert "block.2/self_attn.q_proj" in r["modules"] and "block.0/input_layernorm" in r["modules"]


def test_lora_adapters_measured_as_the_figure_needs():
    torch.manual_seed(1)
    peft = PeftModel(LlamaForCausalLM(n=2))
    r = NormTracker(peft).measure()
    assert list(r["groups"]) == ["embed", "block.0", "block.1", "lnf", "head"]
    q = peft.base_model.model.model.layers[1].self_attn.q_proj
    a, b, s = q.lora_A["default"].weight, q.lora_B["default"].weight, q.scaling["default"]
    delta = s * b.detach() @ a.detach()
    mod = r["modules"]["block.1/self_attn.q_proj"]
    assert close(mod["update"], delta.norm().item())
    assert close(mod["weight"], (q.base_layer.weight.detach() + delta).norm().item())
    assert close(mod["trainable"], math.sqrt(sq([a, b])))  # the adapters, not the frozen base
    assert r["modules"]["block.1/self_attn.k_proj"]["trainable"] == 0
    assert r["groups"]["embed"]["trainable"] == 0 and r["groups"]["embed"]["update"] == 0
    assert sorted(block_parameters(peft)) == [0, 1]


def test_without_w0_update_is_unknown_only_where_weights_train():
    peft = PeftModel(LlamaForCausalLM(n=1))
    r = NormTracker(peft, track_update=False).measure()
    assert r["modules"]["block.0/self_attn.q_proj"]["update"] > 0  # frozen base: ΔW is the adapters'
    full = NormTracker(LlamaForCausalLM(n=1), track_update=False).measure()
    assert math.isnan(full["groups"]["block.0"]["update"])


def test_group_override():
    r = NormTracker(LlamaForCausalLM(n=2), group_of={r"layers\.(\d+)\.": r"block.\1", r"lm_head": "head"}).measure()
    assert set(r["groups"]) == {"block.0", "block.1", "head", "embed", "lnf"}
    r = NormTracker(LlamaForCausalLM(n=2), group_of=lambda n: "all" if "layers" in n else None).measure()
    assert list(r["groups"]) == ["all"]


class Conv1D(torch.nn.Module):
    """GPT-2's Conv1D: weight is [in, out]; PEFT's LoRA on it has fan_in_fan_out = True."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(n_in, n_out))


def test_lora_on_conv1d_and_embedding_and_modules_to_save():
    torch.manual_seed(2)
    gpt2 = GPT2LMHeadModel(n=1)
    for p in gpt2.parameters():
        p.requires_grad_(False)
    attn = gpt2.transformer.h[0].attn
    lora = torch.nn.Module()  # PEFT's LoRA layer around a square Conv1D (c_proj): only fan_in_fan_out tells W's layout
    lora.base_layer = Conv1D(8, 8)
    lora.base_layer.weight.requires_grad_(False)
    lora.lora_A = torch.nn.ModuleDict({"default": torch.nn.Linear(8, 2, bias=False)})
    lora.lora_B = torch.nn.ModuleDict({"default": torch.nn.Linear(2, 8, bias=False)})
    lora.scaling, lora.fan_in_fan_out = {"default": 0.5}, True
    attn.c_proj = lora
    emb = torch.nn.Module()  # PEFT's LoRA on an embedding: lora_embedding_A [r, vocab], lora_embedding_B [d, r]
    emb.base_layer = gpt2.transformer.wpe
    emb.lora_embedding_A = torch.nn.ParameterDict({"default": torch.nn.Parameter(torch.randn(2, 16))})
    emb.lora_embedding_B = torch.nn.ParameterDict({"default": torch.nn.Parameter(torch.randn(8, 2))})
    emb.scaling = {"default": 2.0}
    gpt2.transformer.wpe = emb
    head = torch.nn.Module()  # modules_to_save: a trained copy of the head beside the frozen original
    head.original_module = torch.nn.Linear(8, 32, bias=False)
    head.modules_to_save = torch.nn.ModuleDict({"default": torch.nn.Linear(8, 32, bias=False)})
    gpt2.lm_head = head

    r = NormTracker(gpt2).measure()
    a, b = lora.lora_A["default"].weight.detach(), lora.lora_B["default"].weight.detach()
    delta = (0.5 * b @ a).t()  # back to Conv1D's [in, out]
    mod = r["modules"]["block.0/attn.c_proj"]
    assert close(mod["weight"], (lora.base_layer.weight.detach() + delta).norm().item())
    assert close(mod["update"], delta.norm().item())
    ea, eb = emb.lora_embedding_A["default"].detach(), emb.lora_embedding_B["default"].detach()
    pos = r["groups"]["pos"]
    assert close(pos["weight"], (emb.base_layer.weight.detach() + 2.0 * (eb @ ea).t()).norm().item())
    assert close(pos["trainable"], math.sqrt(sq([ea, eb])))
    assert close(r["groups"]["head"]["weight"], head.modules_to_save["default"].weight.norm().item())
