#!/usr/bin/python3
"""Tiny Hugging Face model folders for LayerLab's tests, with reference logits and loss.

Run with Debian's torch: `/usr/bin/python3 scripts/hf-fixtures.py` (writes tests/fixtures/hf/). Deterministic:
every weight comes from a seeded torch generator and every file is written byte-for-byte the same way.

The forward passes below are written from the published architectures (GPT-2: Radford et al. 2019 and
transformers' GPT2LMHeadModel; Llama: Touvron et al. 2023 and transformers' LlamaForCausalLM, including the
half-rotation rotary layout and grouped-query attention; Qwen2 adds q/k/v biases). They are deliberately
independent of LayerLab's TypeScript.

Each folder holds config.json, model.safetensors (or shards + model.safetensors.index.json),
tokenizer.json, tokenizer_config.json, and reference.json: the fixed text, its token ids (from the byte-level
BPE below, written to match tokenizer.json), the next-token loss and the logits of the first REF_POSITIONS
positions.

`qwen2-tiny-chat` adds ChatML's <|im_start|> / <|im_end|> tokens and a small ChatML chat template (written here)
to its tokenizer_config.json; chat.json holds conversations (also written as chat.jsonl, the data file) with the
text Python's jinja2 renders from them (as transformers' apply_chat_template does: ImmutableSandboxedEnvironment,
trim_blocks, lstrip_blocks), its token ids, and which tokens are the assistant's (after each
`<|im_start|>assistant\n`, through its `<|im_end|>`), found by walking the ids. Needs Debian's python3-jinja2.
"""
import json
import math
import os
import re
import shutil
import struct
import sys

import jinja2.sandbox
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures', 'hf')
TEXT = 'the theater then thinned; in the inner garden an owl hummed on the other hill.\n'
EVAL_TEXT = 'then the owl hummed in the garden; the other theater thinned on the hill.\n'
MERGES = ['Ġ t', 'h e', 'Ġt he', 'i n', 'e r', 'a n', 'Ġ o', 'e d', 'Ġ h', 'Ġt h']
REF_POSITIONS = 6


# ---- tokenizer: GPT-2's byte-level BPE ----

def bytes_to_unicode():
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_CHARS = bytes_to_unicode()


def vocab():
    v = {BYTE_CHARS[b]: i for i, b in enumerate(sorted(BYTE_CHARS, key=lambda b: ord(BYTE_CHARS[b])))}
    for m in MERGES:
        v[m.replace(' ', '')] = len(v)
    return v


VOCAB = vocab()
EOS = '<|endoftext|>'
EOS_ID = len(VOCAB)
VOCAB_SIZE = EOS_ID + 1
# GPT-2's pre-tokenizer pattern, ASCII letters and digits only (the fixture texts are ASCII).
PRETOKEN = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")


def bpe(word):
    parts = list(word)
    ranks = {tuple(m.split(' ')): i for i, m in enumerate(MERGES)}
    while len(parts) > 1:
        pairs = [(ranks.get((a, b), math.inf), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
        rank, i = min(pairs)
        if rank == math.inf:
            break
        a, b = parts[i], parts[i + 1]
        out, j = [], 0
        while j < len(parts):
            if j < len(parts) - 1 and parts[j] == a and parts[j + 1] == b:
                out.append(a + b)
                j += 2
            else:
                out.append(parts[j])
                j += 1
        parts = out
    return parts


def encode(text):
    ids = []
    for piece in PRETOKEN.findall(text):
        mapped = ''.join(BYTE_CHARS[b] for b in piece.encode('utf-8'))
        ids += [VOCAB[p] for p in bpe(mapped)]
    return ids


def encode_special(text, specials):
    """Added tokens first (as tokenizers does), then the BPE on the text between them."""
    ids = []
    for part in re.split('(' + '|'.join(re.escape(t) for t in specials) + ')', text):
        ids += [specials[part]] if part in specials else encode(part)
    return ids


def tokenizer_json(extra=()):
    byte_level = {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': True}
    added = [{'id': EOS_ID + i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False,
              'normalized': False, 'special': True} for i, t in enumerate((EOS, *extra))]
    added[0]['normalized'] = True
    return {
        'version': '1.0', 'truncation': None, 'padding': None,
        'added_tokens': added,
        'normalizer': None, 'pre_tokenizer': byte_level, 'post_processor': byte_level, 'decoder': byte_level,
        'model': {'type': 'BPE', 'dropout': None, 'unk_token': None, 'continuing_subword_prefix': '',
                  'end_of_word_suffix': '', 'fuse_unk': False, 'byte_fallback': False, 'ignore_merges': False,
                  'vocab': VOCAB, 'merges': MERGES},
    }


def tokenizer_config():
    return {'add_prefix_space': False, 'bos_token': EOS, 'eos_token': EOS, 'unk_token': EOS,
            'model_max_length': 64, 'tokenizer_class': 'GPT2Tokenizer'}


# ---- chat: ChatML, the common form (Qwen2, many fine-tunes) ----

IM_START, IM_END = '<|im_start|>', '<|im_end|>'
CHAT_TOKENS = (IM_START, IM_END)
# Every newline is a Jinja string escape, so the text does not depend on trim_blocks / lstrip_blocks.
CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% if messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}"
    "{% endif %}"
    "{% for message in messages %}"
    "{% if message['role'] not in ['system', 'user', 'assistant'] %}"
    "{{ raise_exception('unknown role: ' + message['role']) }}"
    "{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + (message['content'] | trim) + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
CHAT_RECORDS = [
    {'messages': [{'role': 'user', 'content': 'the owl?'}, {'role': 'assistant', 'content': 'on the other hill.'}]},
    {'messages': [{'role': 'system', 'content': 'Answer in the garden.'},
                  {'role': 'user', 'content': '  where then?  '},
                  {'role': 'assistant', 'content': 'in the inner garden'},
                  {'role': 'user', 'content': 'and the theater?'},
                  {'role': 'assistant', 'content': 'it thinned.\n'}]},
    {'conversations': [{'from': 'human', 'value': 'who hummed?'}, {'from': 'gpt', 'value': 'an owl hummed.'}]},
    {'messages': [{'role': 'user', 'content': 'the hill?'}, {'role': 'assistant', 'content': 'the other one.'}]},
    {'messages': [{'role': 'user', 'content': 'then?'}, {'role': 'assistant', 'content': 'the garden thinned.'}]},
    {'messages': [{'role': 'user', 'content': 'in the theater?'}, {'role': 'assistant', 'content': 'an owl.'}]},
]
SHAREGPT_ROLES = {'human': 'user', 'gpt': 'assistant', 'system': 'system'}


def chat_messages(record):
    if 'messages' in record:
        return record['messages']
    return [{'role': SHAREGPT_ROLES[m['from']], 'content': m['value']} for m in record['conversations']]


def render_chat(messages, tokens):
    """transformers' apply_chat_template environment (chat_template_utils._compile_jinja_template)."""
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals['raise_exception'] = raise_exception
    return env.from_string(CHAT_TEMPLATE).render(messages=messages, add_generation_prompt=False, **tokens)


def assistant_targets(ids, specials):
    """1 on the tokens after each <|im_start|>assistant\\n, through the <|im_end|> that ends the turn."""
    header = [specials[IM_START]] + encode('assistant\n')
    targets, inside = [0] * len(ids), False
    for i in range(len(ids)):
        if inside:
            targets[i] = 1
            inside = ids[i] != specials[IM_END]
        elif ids[i - len(header) + 1:i + 1] == header:
            inside = True
    return targets


def chat_reference(cfg_tokens):
    specials = {EOS: EOS_ID, **{t: EOS_ID + 1 + i for i, t in enumerate(CHAT_TOKENS)}}
    tokens = {k: v for k, v in cfg_tokens.items() if k.endswith('_token') and isinstance(v, str)}
    out = []
    for record in CHAT_RECORDS:
        text = render_chat(chat_messages(record), tokens)
        ids = encode_special(text, specials)
        out.append({'record': record, 'text': text, 'ids': ids, 'targets': assistant_targets(ids, specials)})
    return out


# ---- safetensors ----

DTYPES = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16'}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors):
    """tensors: list of (name, tensor). Little-endian, header padded with spaces to 8 bytes."""
    header, offset, blobs = {}, 0, []
    for name, t in tensors:
        b = tensor_bytes(t)
        header[name] = {'dtype': DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps({'__metadata__': {'format': 'pt'}, **header}, separators=(',', ':')).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# ---- reference forward passes ----

def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def causal_attention(q, k, v):
    """q [H, T, dh], k/v [H, T, dh] -> [T, H*dh]."""
    t, dh = q.shape[1], q.shape[2]
    s = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
    mask = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
    s = s.masked_fill(mask, float('-inf'))
    p = torch.softmax(s.float(), -1).to(q.dtype)
    return (p @ v).transpose(0, 1).reshape(t, -1)


def gpt2_forward(cfg, w, ids, pre):
    """GPT-2: Conv1D weights are [in, out], so y = x @ W + b."""
    d, nh = cfg['n_embd'], cfg['n_head']
    t = len(ids)
    x = w[pre + 'wte.weight'][ids] + w[pre + 'wpe.weight'][:t]
    for i in range(cfg['n_layer']):
        p = f'{pre}h.{i}.'
        h = layer_norm(x, w[p + 'ln_1.weight'], w[p + 'ln_1.bias'], cfg['layer_norm_epsilon'])
        qkv = h @ w[p + 'attn.c_attn.weight'] + w[p + 'attn.c_attn.bias']
        q, k, v = (z.reshape(t, nh, d // nh).transpose(0, 1) for z in qkv.split(d, -1))
        x = x + causal_attention(q, k, v) @ w[p + 'attn.c_proj.weight'] + w[p + 'attn.c_proj.bias']
        h = layer_norm(x, w[p + 'ln_2.weight'], w[p + 'ln_2.bias'], cfg['layer_norm_epsilon'])
        x = x + gelu_new(h @ w[p + 'mlp.c_fc.weight'] + w[p + 'mlp.c_fc.bias']) @ w[p + 'mlp.c_proj.weight'] \
            + w[p + 'mlp.c_proj.bias']
    x = layer_norm(x, w[pre + 'ln_f.weight'], w[pre + 'ln_f.bias'], cfg['layer_norm_epsilon'])
    return x @ w[pre + 'wte.weight'].T


def rms_norm(x, weight, eps):
    xf = x.float()
    return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)).to(x.dtype) * weight


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), -1)


def llama_forward(cfg, w, ids):
    """Llama / Qwen2: nn.Linear weights are [out, in], so y = x @ W.T (+ b)."""
    nh, nkv = cfg['num_attention_heads'], cfg['num_key_value_heads']
    dh = cfg.get('head_dim') or cfg['hidden_size'] // nh
    eps, t = cfg['rms_norm_eps'], len(ids)
    bias = cfg['model_type'] == 'qwen2'
    dt = w['model.embed_tokens.weight'].dtype
    inv_freq = 1.0 / (cfg['rope_theta'] ** (torch.arange(0, dh, 2, dtype=torch.int64).float() / dh))
    ang = torch.arange(t).float()[:, None] * inv_freq[None, :]
    emb = torch.cat((ang, ang), -1)
    cos, sin = emb.cos().to(dt), emb.sin().to(dt)

    def lin(x, name):
        y = x @ w[name + '.weight'].T
        return y + w[name + '.bias'] if bias and name + '.bias' in w else y

    x = w['model.embed_tokens.weight'][ids]
    for i in range(cfg['num_hidden_layers']):
        p = f'model.layers.{i}.'
        h = rms_norm(x, w[p + 'input_layernorm.weight'], eps)
        q = lin(h, p + 'self_attn.q_proj').reshape(t, nh, dh).transpose(0, 1)
        k = lin(h, p + 'self_attn.k_proj').reshape(t, nkv, dh).transpose(0, 1)
        v = lin(h, p + 'self_attn.v_proj').reshape(t, nkv, dh).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(nh // nkv, 0)
        v = v.repeat_interleave(nh // nkv, 0)
        x = x + lin(causal_attention(q, k, v), p + 'self_attn.o_proj')
        h = rms_norm(x, w[p + 'post_attention_layernorm.weight'], eps)
        gated = torch.nn.functional.silu(lin(h, p + 'mlp.gate_proj')) * lin(h, p + 'mlp.up_proj')
        x = x + lin(gated, p + 'mlp.down_proj')
    x = rms_norm(x, w['model.norm.weight'], eps)
    head = w['model.embed_tokens.weight'] if cfg['tie_word_embeddings'] else w['lm_head.weight']
    return x @ head.T


def next_token_loss(logits, ids):
    return torch.nn.functional.cross_entropy(logits[:-1].float(), torch.tensor(ids[1:])).item()


# ---- weights ----

def gpt2_weights(cfg, gen, pre):
    d, f, v, c = cfg['n_embd'], 4 * cfg['n_embd'], cfg['vocab_size'], cfg['n_positions']
    rnd = lambda *s: torch.randn(*s, generator=gen) * 0.2
    near1 = lambda n: 1 + torch.randn(n, generator=gen) * 0.1
    w = [(pre + 'wte.weight', rnd(v, d)), (pre + 'wpe.weight', rnd(c, d))]
    for i in range(cfg['n_layer']):
        p = f'{pre}h.{i}.'
        w += [(p + 'ln_1.weight', near1(d)), (p + 'ln_1.bias', rnd(d)),
              (p + 'attn.c_attn.weight', rnd(d, 3 * d)), (p + 'attn.c_attn.bias', rnd(3 * d)),
              (p + 'attn.c_proj.weight', rnd(d, d)), (p + 'attn.c_proj.bias', rnd(d)),
              (p + 'ln_2.weight', near1(d)), (p + 'ln_2.bias', rnd(d)),
              (p + 'mlp.c_fc.weight', rnd(d, f)), (p + 'mlp.c_fc.bias', rnd(f)),
              (p + 'mlp.c_proj.weight', rnd(f, d)), (p + 'mlp.c_proj.bias', rnd(d))]
    w += [(pre + 'ln_f.weight', near1(d)), (pre + 'ln_f.bias', rnd(d))]
    return w


def llama_weights(cfg, gen):
    d, f, v = cfg['hidden_size'], cfg['intermediate_size'], cfg['vocab_size']
    nh, nkv = cfg['num_attention_heads'], cfg['num_key_value_heads']
    dh = cfg.get('head_dim') or d // nh
    bias = cfg['model_type'] == 'qwen2'
    rnd = lambda *s: torch.randn(*s, generator=gen) * 0.2
    near1 = lambda n: 1 + torch.randn(n, generator=gen) * 0.1
    w = [('model.embed_tokens.weight', rnd(v, d))]
    for i in range(cfg['num_hidden_layers']):
        p = f'model.layers.{i}.'
        w.append((p + 'input_layernorm.weight', near1(d)))
        for m, out in (('q_proj', nh * dh), ('k_proj', nkv * dh), ('v_proj', nkv * dh)):
            w.append((f'{p}self_attn.{m}.weight', rnd(out, d)))
            if bias:
                w.append((f'{p}self_attn.{m}.bias', rnd(out)))
        w += [(p + 'self_attn.o_proj.weight', rnd(d, nh * dh)), (p + 'post_attention_layernorm.weight', near1(d)),
              (p + 'mlp.gate_proj.weight', rnd(f, d)), (p + 'mlp.up_proj.weight', rnd(f, d)),
              (p + 'mlp.down_proj.weight', rnd(d, f))]
    w.append(('model.norm.weight', near1(d)))
    if not cfg['tie_word_embeddings']:
        w.append(('lm_head.weight', rnd(v, d)))
    return w


# ---- fixtures ----

def gpt2_config():
    return {'architectures': ['GPT2LMHeadModel'], 'model_type': 'gpt2', 'vocab_size': VOCAB_SIZE, 'n_positions': 64,
            'n_embd': 16, 'n_layer': 2, 'n_head': 2, 'n_inner': None, 'activation_function': 'gelu_new',
            'layer_norm_epsilon': 1e-5, 'bos_token_id': EOS_ID, 'eos_token_id': EOS_ID,
            'tie_word_embeddings': True, 'torch_dtype': 'float32'}


def llama_config(model_type, arch, tied, heads, kv, dtype):
    return {'architectures': [arch], 'model_type': model_type, 'vocab_size': VOCAB_SIZE, 'hidden_size': 16,
            'intermediate_size': 24, 'num_hidden_layers': 2, 'num_attention_heads': heads, 'num_key_value_heads': kv,
            'max_position_embeddings': 64, 'rms_norm_eps': 1e-6, 'rope_theta': 10000.0, 'hidden_act': 'silu',
            'tie_word_embeddings': tied, 'rope_scaling': None, 'attention_bias': False, 'bos_token_id': EOS_ID,
            'eos_token_id': EOS_ID, 'torch_dtype': dtype}


FIXTURES = [
    # name, config, weight dtype, shards, GPT-2 prefix
    ('gpt2-tiny', gpt2_config(), torch.float32, 1, ''),
    ('gpt2-tiny-f16-sharded', {**gpt2_config(), 'torch_dtype': 'float16'}, torch.float16, 2, 'transformer.'),
    ('llama-tiny-gqa', llama_config('llama', 'LlamaForCausalLM', False, 4, 2, 'float32'), torch.float32, 1, ''),
    ('qwen2-tiny-tied', llama_config('qwen2', 'Qwen2ForCausalLM', True, 2, 1, 'float32'), torch.float32, 1, ''),
    ('llama-tiny-gqa-bf16', llama_config('llama', 'LlamaForCausalLM', False, 4, 2, 'bfloat16'), torch.bfloat16, 1, ''),
    # ChatML tokens (ids VOCAB_SIZE, VOCAB_SIZE + 1) and a chat template: see chat_reference
    ('qwen2-tiny-chat', {**llama_config('qwen2', 'Qwen2ForCausalLM', True, 2, 1, 'float32'),
                         'vocab_size': VOCAB_SIZE + len(CHAT_TOKENS), 'eos_token_id': EOS_ID + 2},
     torch.float32, 1, ''),
]
CHAT_FIXTURE = 'qwen2-tiny-chat'


def build(name, cfg, dtype, shards, pre, seed, chat=False):
    gen = torch.Generator().manual_seed(seed)
    tensors = gpt2_weights(cfg, gen, pre) if cfg['model_type'] == 'gpt2' else llama_weights(cfg, gen)
    tensors = [(n, t.to(dtype)) for n, t in tensors]
    out = os.path.join(ROOT, name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    with open(os.path.join(out, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
        f.write('\n')
    if shards == 1:
        write_safetensors(os.path.join(out, 'model.safetensors'), tensors)
    else:
        per = math.ceil(len(tensors) / shards)
        weight_map = {}
        for s in range(shards):
            fname = f'model-{s + 1:05d}-of-{shards:05d}.safetensors'
            part = tensors[s * per:(s + 1) * per]
            write_safetensors(os.path.join(out, fname), part)
            weight_map.update({n: fname for n, _ in part})
        total = sum(t.numel() * t.element_size() for _, t in tensors)
        with open(os.path.join(out, 'model.safetensors.index.json'), 'w') as f:
            json.dump({'metadata': {'total_size': total}, 'weight_map': weight_map}, f, indent=2)
            f.write('\n')
    tok_cfg = tokenizer_config()
    if chat:
        tok_cfg = {**tok_cfg, 'eos_token': IM_END, 'pad_token': EOS, 'chat_template': CHAT_TEMPLATE}
        with open(os.path.join(out, 'chat.json'), 'w') as f:
            json.dump(chat_reference(tok_cfg), f, separators=(',', ':'))
            f.write('\n')
        with open(os.path.join(out, 'chat.jsonl'), 'w') as f:
            f.writelines(json.dumps(r) + '\n' for r in CHAT_RECORDS)
    with open(os.path.join(out, 'tokenizer.json'), 'w') as f:
        json.dump(tokenizer_json(CHAT_TOKENS if chat else ()), f, ensure_ascii=False)
    with open(os.path.join(out, 'tokenizer_config.json'), 'w') as f:
        json.dump(tok_cfg, f, indent=2)
        f.write('\n')
    # The reference runs in the dtype of the weights (bf16 arithmetic for the bf16 fixture, as transformers
    # would with torch_dtype=bfloat16); F16 weights are computed in float32 (CPU half matmul is not a target).
    w = {n: (t.float() if dtype == torch.float16 else t) for n, t in tensors}
    ref = {}
    for key, text in (('text', TEXT), ('eval_text', EVAL_TEXT)):
        ids = encode(text)
        with torch.no_grad():
            logits = gpt2_forward(cfg, w, ids, pre) if cfg['model_type'] == 'gpt2' else llama_forward(cfg, w, ids)
        ref[key] = {'text': text, 'ids': ids, 'loss': round(next_token_loss(logits, ids), 7),
                    'logits': [[round(float(z), 6) for z in row] for row in logits[:REF_POSITIONS].float()]}
    ref['eval_seq'] = len(encode(EVAL_TEXT)) - 1
    ref['compute_dtype'] = str(dtype).replace('torch.', '') if dtype != torch.float16 else 'float32'
    with open(os.path.join(out, 'reference.json'), 'w') as f:
        json.dump(ref, f, separators=(',', ':'))
        f.write('\n')


def main():
    torch.manual_seed(0)
    os.makedirs(ROOT, exist_ok=True)
    # TEXT then EVAL_TEXT: with --seq len(ids(EVAL_TEXT)) - 1 the trainer's held-out tail is exactly EVAL_TEXT,
    # so `--steps 0` must print eval/loss = reference.json's eval_text.loss.
    with open(os.path.join(ROOT, 'eval.txt'), 'w') as f:
        f.write(TEXT + EVAL_TEXT)
    for i, (name, cfg, dtype, shards, pre) in enumerate(FIXTURES):
        build(name, cfg, dtype, shards, pre, 1000 + i, chat=name == CHAT_FIXTURE)
        print(f'wrote {os.path.relpath(os.path.join(ROOT, name))}', file=sys.stderr)


if __name__ == '__main__':
    main()
