#!/usr/bin/env python3
"""Writes the decoder's reference fixtures: tiny checkpoints and the log-probabilities transformers gives them.

Not run by CI (the Java test reads the committed output). Run it where transformers and torch import:

    PYTHONPATH=/path/to/transformers/src:/path/to/huggingface_hub/src \
        python3 scripts/reference/transformers_reference.py evaluator/src/test/resources/reference

For each fixture it writes DIR/NAME/{config.json, model.safetensors, reference.json}. The weights come from
a seeded torch generator and are written by this script's own safetensors writer (float32, sorted keys); the
model is then loaded back through transformers' from_pretrained (eager attention, float32), which must report
no missing or unexpected keys, and scored:
  - "single": each sequence alone, log p(seq[j+1] | seq[..j]) from log_softmax of the logits;
  - "batch": all sequences right-padded with PAD and attention_mask 0 on the padding, real positions only;
  - "greedy": GREEDY_TOKENS argmax tokens after each of GREEDY_PROMPTS (full recompute per token, no cache),
    with the smallest gap between the top two logits met on the way (a near tie would make the check flaky).
When the `safetensors` package is absent, safetensors_shim.py (next to this file) stands in for it.
"""
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors_shim  # noqa: E402
from st_writer import write_safetensors  # noqa: E402

SHIMMED = safetensors_shim.install(tempfile.mkdtemp(prefix="st-shim-"),
                                   extra_dists=(("huggingface_hub", os.environ.get("HF_HUB_VERSION", "0.27.1")),)
                                   if os.environ.get("HF_HUB_VERSION") else ())

import torch  # noqa: E402
import transformers  # noqa: E402

VOCAB = 64
PAD = 0
SEQUENCES = [
    [1, 17, 42, 5, 63, 8, 23, 23, 9, 31, 2, 50],
    [3, 60, 11],
    [7, 7, 7, 40, 12, 33, 56, 19, 4, 28, 45, 61, 38, 26, 14, 6, 52, 35, 10, 47, 29, 58, 21, 16],
    [62, 1],
]

# Greedy continuations: argmax without a cache here, to check the decoder's cached generation.
GREEDY_PROMPTS = [SEQUENCES[0][:4], SEQUENCES[1], SEQUENCES[2][:9]]
GREEDY_TOKENS = 10

BASE = {"vocab_size": VOCAB, "num_hidden_layers": 2, "hidden_act": "silu", "max_position_embeddings": 128,
        "initializer_range": 0.02, "use_cache": True, "torch_dtype": "float32", "bos_token_id": 1,
        "eos_token_id": 2}

FIXTURES = {
    "llama-gqa": dict(BASE, architectures=["LlamaForCausalLM"], model_type="llama", hidden_size=32,
                      intermediate_size=48, num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5,
                      rope_theta=10000.0, tie_word_embeddings=False, attention_bias=False, mlp_bias=False),
    "llama-tied-llama3": dict(BASE, architectures=["LlamaForCausalLM"], model_type="llama", hidden_size=32,
                              intermediate_size=40, num_attention_heads=2, num_key_value_heads=1, rms_norm_eps=1e-6,
                              rope_theta=10000.0, tie_word_embeddings=True, attention_bias=True, mlp_bias=False,
                              rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                            "high_freq_factor": 4.0, "original_max_position_embeddings": 64}),
    "mistral": dict(BASE, architectures=["MistralForCausalLM"], model_type="mistral", hidden_size=32,
                    intermediate_size=56, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                    rms_norm_eps=1e-5, rope_theta=1000000.0, tie_word_embeddings=False, sliding_window=4096),
    "qwen2": dict(BASE, architectures=["Qwen2ForCausalLM"], model_type="qwen2", hidden_size=32,
                  intermediate_size=48, num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-6,
                  rope_theta=1000000.0, tie_word_embeddings=True, use_sliding_window=False, sliding_window=4096,
                  max_window_layers=2),
    "qwen3": dict(BASE, architectures=["Qwen3ForCausalLM"], model_type="qwen3", hidden_size=32,
                  intermediate_size=48, num_attention_heads=4, num_key_value_heads=2, head_dim=8,
                  rms_norm_eps=1e-6, rope_theta=1000000.0, tie_word_embeddings=True, attention_bias=False,
                  use_sliding_window=False, sliding_window=None, max_window_layers=2),
}


def weights(cfg, seed):
    """Seeded float32 tensors under Hugging Face names; norms near 1, matrices scaled so logits spread."""
    g = torch.Generator().manual_seed(seed)

    def rand(*shape, std):
        return (torch.randn(*shape, generator=g) * std).float()

    d, inter = cfg["hidden_size"], cfg["intermediate_size"]
    heads, kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or d // heads
    qkv_bias = cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False)
    o_bias = cfg.get("attention_bias", False) and cfg["model_type"] in ("llama", "mistral")
    w = {"model.embed_tokens.weight": rand(VOCAB, d, std=0.3)}
    for i in range(cfg["num_hidden_layers"]):
        p, a = f"model.layers.{i}.", f"model.layers.{i}.self_attn."
        w[p + "input_layernorm.weight"] = 1 + rand(d, std=0.2)
        w[p + "post_attention_layernorm.weight"] = 1 + rand(d, std=0.2)
        w[a + "q_proj.weight"] = rand(heads * hd, d, std=0.5)
        w[a + "k_proj.weight"] = rand(kv * hd, d, std=0.5)
        w[a + "v_proj.weight"] = rand(kv * hd, d, std=0.5)
        w[a + "o_proj.weight"] = rand(d, heads * hd, std=0.3)
        if qkv_bias:
            w[a + "q_proj.bias"] = rand(heads * hd, std=0.3)
            w[a + "k_proj.bias"] = rand(kv * hd, std=0.3)
            w[a + "v_proj.bias"] = rand(kv * hd, std=0.3)
        if o_bias:
            w[a + "o_proj.bias"] = rand(d, std=0.3)
        if cfg["model_type"] == "qwen3":
            w[a + "q_norm.weight"] = 1 + rand(hd, std=0.2)
            w[a + "k_norm.weight"] = 1 + rand(hd, std=0.2)
        w[p + "mlp.gate_proj.weight"] = rand(inter, d, std=0.4)
        w[p + "mlp.up_proj.weight"] = rand(inter, d, std=0.4)
        w[p + "mlp.down_proj.weight"] = rand(d, inter, std=0.3)
    w["model.norm.weight"] = 1 + rand(d, std=0.2)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = rand(VOCAB, d, std=0.3)
    return w


def qwen3_from_qwen2(cfg, w):
    """Qwen3 where transformers has no Qwen3ForCausalLM: its own Qwen2 model and modules, made into Qwen3.

    Qwen3 differs from Qwen2 only in its attention: no q/k/v biases (zeros here: adding 0.0 changes nothing)
    and a per-head RMS norm of queries and keys over head_dim, applied to the projection's output before the
    rotary embedding (`q_norm(q_proj(x).view(..., -1, head_dim))`). Forward hooks on q_proj and k_proj apply
    transformers' Qwen2RMSNorm there, which is what Qwen3RMSNorm is.
    """
    from transformers.models.qwen2.modeling_qwen2 import Qwen2RMSNorm
    conf = {k: v for k, v in cfg.items() if k not in ("architectures", "model_type", "head_dim", "attention_bias")}
    config = transformers.Qwen2Config(**conf, attn_implementation="eager")
    hd = cfg["head_dim"]
    if config.hidden_size // config.num_attention_heads != hd:
        raise SystemExit("qwen3 composite: transformers' Qwen2 needs head_dim == hidden_size / heads")
    model = transformers.Qwen2ForCausalLM(config).float()
    state = {k: v for k, v in w.items() if not k.endswith(("q_norm.weight", "k_norm.weight"))}
    for i in range(cfg["num_hidden_layers"]):
        a = f"model.layers.{i}.self_attn."
        for p in ("q", "k", "v"):
            state[a + p + "_proj.bias"] = torch.zeros(model.state_dict()[a + p + "_proj.bias"].shape)
    if cfg["tie_word_embeddings"]:
        state["lm_head.weight"] = w["model.embed_tokens.weight"]
    model.load_state_dict(state, strict=True)
    model.tie_weights()

    def per_head(norm):
        def hook(module, args, out):
            return norm(out.view(*out.shape[:-1], -1, hd)).view(out.shape)
        return hook

    for i, layer in enumerate(model.model.layers):
        a = f"model.layers.{i}.self_attn."
        for p in ("q", "k"):
            norm = Qwen2RMSNorm(hd, eps=cfg["rms_norm_eps"])
            norm.weight.data.copy_(w[a + p + "_norm.weight"])
            getattr(layer.self_attn, p + "_proj").register_forward_hook(per_head(norm))
    return model


def score(model, ids, mask):
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask).logits.float()
    logp = torch.log_softmax(logits[:, :-1], dim=-1)
    return logp.gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)


def greedy(model, prompt, n):
    """n argmax tokens after prompt, each from a full forward pass (no cache), and the smallest top-2 gap."""
    seq, gap = list(prompt), float("inf")
    for _ in range(n):
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([seq])).logits[0, -1].float()
        top = torch.topk(logits, 2).values
        gap = min(gap, (top[0] - top[1]).item())
        seq.append(int(torch.argmax(logits)))
    return seq[len(prompt):], gap


def main(out):
    torch.set_grad_enabled(False)
    for n, (name, cfg) in enumerate(FIXTURES.items()):
        cls = getattr(transformers, cfg["architectures"][0], None)
        if cls is None and cfg["model_type"] != "qwen3":
            print(f"{name}: transformers {transformers.__version__} has no {cfg['architectures'][0]}, skipped")
            continue
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2, sort_keys=True)
            f.write("\n")
        w = weights(cfg, 1000 + n)
        write_safetensors(w, os.path.join(d, "model.safetensors"))
        if cls is None:  # no Qwen3ForCausalLM before transformers 4.51
            model, how = qwen3_from_qwen2(cfg, w), "composite"
        else:
            model, info = cls.from_pretrained(d, torch_dtype=torch.float32, attn_implementation="eager",
                                              output_loading_info=True)
            if any(info[k] for k in ("missing_keys", "unexpected_keys", "mismatched_keys")):
                raise SystemExit(f"{name}: weights did not load cleanly: {info}")
            state = model.state_dict()
            for k, v in w.items():
                if not torch.equal(state[k], v):
                    raise SystemExit(f"{name}: {k} differs after from_pretrained")
            if cfg["tie_word_embeddings"] and not torch.equal(state["lm_head.weight"], w["model.embed_tokens.weight"]):
                raise SystemExit(f"{name}: lm_head is not tied to embed_tokens")
            how = "from_pretrained"
        model.eval()
        single = [score(model, torch.tensor([s]), torch.ones(1, len(s), dtype=torch.long))[0].tolist()
                  for s in SEQUENCES]
        t = max(len(s) for s in SEQUENCES)
        ids = torch.tensor([s + [PAD] * (t - len(s)) for s in SEQUENCES])
        mask = torch.tensor([[1] * len(s) + [0] * (t - len(s)) for s in SEQUENCES])
        padded = score(model, ids, mask)
        batch = [padded[i, :len(s) - 1].tolist() for i, s in enumerate(SEQUENCES)]
        runs = [greedy(model, p, GREEDY_TOKENS) for p in GREEDY_PROMPTS]
        ref_greedy = {"prompts": GREEDY_PROMPTS, "tokens": [r[0] for r in runs], "min_top2_gap": min(r[1] for r in runs)}
        ref = {"model_class": type(model).__name__, "loaded_by": how, "transformers": transformers.__version__,
               "torch": torch.__version__, "dtype": "float32", "attn_implementation": "eager",
               "safetensors_shim": SHIMMED, "pad_token": PAD, "sequences": SEQUENCES,
               "single": single, "batch": batch,
               "greedy": ref_greedy}
        with open(os.path.join(d, "reference.json"), "w") as f:
            json.dump(ref, f, indent=1)
            f.write("\n")
        worst = max(abs(a - b) for s, p in zip(single, batch) for a, b in zip(s, p))
        print(f"{name}: {type(model).__name__} ({how}), single vs padded batch max |diff| {worst:.3g}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "evaluator/src/test/resources/reference")
