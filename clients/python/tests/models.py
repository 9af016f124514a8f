"""Tiny module trees shaped like Hugging Face's GPT-2, Llama and a PEFT LoRA wrapping (torch.nn only)."""
import torch
from torch import nn


class GPT2Attention(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)


class GPT2MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d)
        self.c_proj = nn.Linear(4 * d, d)


class GPT2Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = GPT2Attention(d)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = GPT2MLP(d)

    def forward(self, x):
        q, k, v = self.attn.c_attn(self.ln_1(x)).chunk(3, dim=-1)
        x = x + self.attn.c_proj(torch.softmax(q @ k.transpose(-1, -2), dim=-1) @ v)
        return x + self.mlp.c_proj(torch.relu(self.mlp.c_fc(self.ln_2(x))))


class GPT2Body(nn.Module):
    def __init__(self, vocab, ctx, d, n):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(ctx, d)
        self.h = nn.ModuleList([GPT2Block(d) for _ in range(n)])
        self.ln_f = nn.LayerNorm(d)


class GPT2LMHeadModel(nn.Module):
    """transformer.wte / wpe / h.N / ln_f, and an lm_head tied to wte."""

    def __init__(self, vocab=32, ctx=16, d=8, n=2):
        super().__init__()
        self.transformer = GPT2Body(vocab, ctx, d, n)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head.weight = self.transformer.wte.weight

    def forward(self, ids):
        t = self.transformer
        x = t.wte(ids) + t.wpe(torch.arange(ids.shape[1]))
        for block in t.h:
            x = block(x)
        return self.lm_head(t.ln_f(x))


class RMSNorm(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return self.weight * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)


class LlamaAttention(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, d, bias=False)
        self.v_proj = nn.Linear(d, d, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        a = torch.softmax(self.q_proj(x) @ self.k_proj(x).transpose(-1, -2), dim=-1)
        return self.o_proj(a @ self.v_proj(x))


class LlamaMLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.gate_proj = nn.Linear(d, 2 * d, bias=False)
        self.up_proj = nn.Linear(d, 2 * d, bias=False)
        self.down_proj = nn.Linear(2 * d, d, bias=False)

    def forward(self, x):
        return self.down_proj(torch.nn.functional.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.input_layernorm = RMSNorm(d)
        self.self_attn = LlamaAttention(d)
        self.post_attention_layernorm = RMSNorm(d)
        self.mlp = LlamaMLP(d)

    def forward(self, x):
        x = x + self.self_attn(self.input_layernorm(x))
        return x + self.mlp(self.post_attention_layernorm(x))


class LlamaModel(nn.Module):
    def __init__(self, vocab, d, n):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList([LlamaDecoderLayer(d) for _ in range(n)])
        self.norm = RMSNorm(d)


class LlamaForCausalLM(nn.Module):
    """model.embed_tokens / model.layers.N / model.norm and an untied lm_head."""

    def __init__(self, vocab=32, d=8, n=4):
        super().__init__()
        self.model = LlamaModel(vocab, d, n)
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, ids):
        x = self.model.embed_tokens(ids)
        for layer in self.model.layers:
            x = layer(x)
        return self.lm_head(self.model.norm(x))


class LoraLinear(nn.Module):
    """PEFT's layout: base_layer, lora_A.default, lora_B.default, scaling = {"default": alpha / r}."""

    def __init__(self, base, r=2, alpha=4):
        super().__init__()
        self.base_layer = base
        self.lora_A = nn.ModuleDict({"default": nn.Linear(base.in_features, r, bias=False)})
        self.lora_B = nn.ModuleDict({"default": nn.Linear(r, base.out_features, bias=False)})
        nn.init.normal_(self.lora_B["default"].weight)  # PEFT starts at zero; non-zero makes ΔW measurable
        self.scaling = {"default": alpha / r}
        self.active_adapters = ["default"]

    def forward(self, x):
        s = self.scaling["default"]
        return self.base_layer(x) + s * self.lora_B["default"](self.lora_A["default"](x))


class PeftModel(nn.Module):
    """base_model.model.<the wrapped model>, LoRA on q_proj and v_proj, base weights frozen."""

    def __init__(self, model):
        super().__init__()
        for p in model.parameters():
            p.requires_grad_(False)
        for layer in model.model.layers:
            layer.self_attn.q_proj = LoraLinear(layer.self_attn.q_proj)
            layer.self_attn.v_proj = LoraLinear(layer.self_attn.v_proj)
        self.base_model = nn.Module()
        self.base_model.model = model

    def forward(self, ids):
        return self.base_model.model(ids)


def sq(tensors):
    return float(sum(t.detach().double().pow(2).sum() for t in tensors))
