export const USAGE = `Usage: npm run train -- [options]

Trains a small GPT with full fine-tuning, LoRA or LISA and records per-layer norm traces.
NDJSON events go to OUT/events.ndjson, and to stdout unless it is a terminal; progress goes to stderr
(a progress bar on a terminal).

  --config FILE.json        config file (snake_case keys); flags override it
  --stage pretrain|finetune pretrain: from scratch (method full); finetune: from --base (default)
  --preset nano|mini|small|gpt2   model shape (finetune: taken from the base when omitted)
  --method full|lora|lisa   what trains
  --gamma N                 LISA: blocks trained per period (alias --lisa_activated_layers)
  --interval K              LISA: steps per period (aliases --lisa_interval_steps, --lisa_step_interval)
  --sampling uniform|bernoulli|importance|fixed
                            LISA: exactly γ units, each with p = γ/N, γ drawn ∝ score^(1/τ) + floor ε,
                            or the --fixed-blocks list every period
  --granularity block|module   LISA: a draw picks blocks, or modules (attn.q … mlp.proj, ln) of any block
  --importance-score grad_norm|update_norm|weight_change_rate --importance-tau T (1) --importance-eps E (0.1)
  --fixed-blocks LIST       sampling fixed: block indices (module granularity also 3/attn.q), e.g. 0,5
  --optimizer-state reset_blocks|reset_all|keep
                            LISA: AdamW state at a switch: drop the blocks' (default), drop all, keep all
                            (reset = reset_all, deprecated)
  --rank R --alpha A        LoRA rank and alpha; --lora-targets q,k,v,o,mlp; --lora-train-embed
  --seed S --steps N --lr X --batch B --seq T
  --grad-accum N            micro-batches of B per optimizer step (one update of N × B sequences)
  --warmup N | --warmup-ratio R   warm-up steps, or ⌈R × steps⌉ of them
  --schedule cosine|linear|constant --min-lr-ratio R --weight-decay W --grad-clip C
  --data pretrain|instruct|PATH   built-in data, or a .txt / .json / .jsonl (Alpaca or chat records) file
  --base DIR                pretrain run (its --out directory) to fine-tune
  --model DIR               Hugging Face model folder to fine-tune (GPT-2, Llama, Mistral, Qwen2)
  --save-hf DIR             write the trained model as a Hugging Face folder (LoRA: a PEFT adapter)
  --merge-lora              with --save-hf and LoRA: also the merged weights
  --template alpaca|chat|FILE   with --model: how records become text (default: Alpaca records alpaca,
                            chat records the model's chat_template; FILE: a Jinja chat template)
  --steps 0                 evaluate the model on the data and stop
  --out DIR                 run directory (events.ndjson, checkpoint/)
  --backend auto|tensorflow|wasm|cpu
  --eval-every N --eval-records N --norms-every N --checkpoint-every N
  --keep-checkpoints N      keep the newest N checkpoints (checkpoint/, then checkpoint-<step>/); default 1
  --resume                  continue the run in --out from its last checkpoint (on the backend it used)
  --force-backend           with --resume: allow another --backend than the run trained on
  --dry-run                 print the resolved configuration and warnings as JSON, train nothing
  --json                    NDJSON events on stdout even when it is a terminal (no progress bar)

ms-swift and LMFlow flags work with their tools' meaning (--sft_type full|lora, --use_lisa, --use_lora,
--learning_rate, --gradient_accumulation_steps, ...; docs/trainer.md); their flags without meaning here
(--model_type, --bf16, --logging_steps, ...) are listed in one warning. Flags for another method's settings
(--method lora --gamma 2) are refused. Runs land in the dashboard: npm run import -- DIR.

Exit codes: 0 finished, 2 bad configuration, 3 diverged (NaN/Inf loss), 1 other failure,
143 (SIGTERM) / 130 (SIGINT) cancelled after writing a checkpoint.
`;
