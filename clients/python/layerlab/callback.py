"""A Hugging Face Trainer callback without importing transformers: the Trainer calls callbacks by method
name (`on_log`, `on_step_end` …), so a plain class with those methods works. It logs what the Trainer logs,
per-layer norms every `norms_every` steps (at the optimizer step, while gradients exist), and LISA periods
found from requires_grad flips of the blocks (LMFlow's layer-switching callback needs no change).

    trainer = Trainer(..., callbacks=[LayerLabCallback(norms_every=10)])
"""
import math
import numbers

RENAME = {"loss": "train/loss", "learning_rate": "lr"}
SUMMARY_KEYS = ("train_runtime", "train_samples_per_second", "train_steps_per_second", "train_loss", "total_flos")


class LayerLabCallback:
    def __init__(self, run=None, norms_every=10, modules=True, groups=None, track_update=True, lisa=True,
                 lisa_reset=None, finish=None, **init_kwargs):
        """run: a layerlab Run (default: layerlab.init(**init_kwargs) at the start of training, with the
        Trainer's arguments as config). norms_every: 0 turns layer norms off. groups: a grouping override
        (see layerlab.norms). lisa_reset: what to record as a switch's `reset` (default: found from whether
        the optimizer kept state for the blocks that stopped training). finish: finish the run when training
        ends (default: only a run this callback started)."""
        self.run = run
        self.norms_every = norms_every
        self.modules = modules
        self.groups = groups
        self.track_update = track_update
        self.lisa = lisa
        self.lisa_reset = lisa_reset
        self.finish = finish if finish is not None else run is None
        self.init_kwargs = init_kwargs
        self._blocks = None
        self._active = None
        self._updated = -1  # last step seen after its optimizer step (two hooks may report it)
        self._measured = -1  # last step whose norms were logged
        self._summary = {}
        self._eval_losses = []

    # ---- the Trainer's events (every process calls them; only the main one reports) -----------------------
    def on_train_begin(self, args, state, control, model=None, **kwargs):
        if not _main_process(state):
            return
        if self.run is None:
            import layerlab

            self.init_kwargs.setdefault("config", _config(args))
            self.run = layerlab.init(**self.init_kwargs)
        if model is not None and self.norms_every:
            self._norms(model, state.global_step)

    def on_optimizer_step(self, args, state, control, model=None, optimizer=None, **kwargs):
        if _main_process(state):
            self._after_update(state.global_step + 1, model, optimizer)

    def on_step_end(self, args, state, control, model=None, optimizer=None, **kwargs):
        if _main_process(state):
            self._after_update(state.global_step, model, optimizer)  # once per step; older Trainers lack the hook

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.run is None or self.run.closed or not _main_process(state):
            return
        metrics, evals = {}, {}
        for key, value in (logs or {}).items():
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                continue
            if key in SUMMARY_KEYS:
                self._summary[key] = value
            elif key.startswith("eval_"):
                evals["eval/" + key[5:]] = value
            else:
                metrics[RENAME.get(key, key)] = value
        if metrics:
            self.run.log(metrics, state.global_step)
            if "train/loss" in metrics:
                self._summary["final/train_loss"] = metrics["train/loss"]
        if evals:
            if "eval/loss" in evals:
                loss = float(evals["eval/loss"])
                evals.setdefault("eval/ppl", _exp(loss))
                self._eval_losses.append(loss)
                self._summary["final/eval_loss"] = loss
                self._summary["best/eval_loss"] = min(self._eval_losses)
            if "eval/accuracy" in evals:
                self._summary["final/eval_accuracy"] = evals["eval/accuracy"]
            self.run.log_eval(evals, state.global_step)

    def on_train_end(self, args, state, control, model=None, **kwargs):
        if self.run is None or self.run.closed:
            return
        if model is not None and self.norms_every and self._measured != state.global_step:
            self._norms(model, state.global_step)
        if self.finish:
            summary = dict(self._summary, steps=state.global_step)
            if "train_runtime" in summary:
                summary["wall_s"] = summary["train_runtime"]
            self.run.finish(summary)

    def __getattr__(self, name):
        if name.startswith("on_"):  # every other Trainer event: nothing to do
            return _nothing
        raise AttributeError(name)

    # ---- work -------------------------------------------------------------------------------------------
    def _after_update(self, step, model, optimizer):
        if model is None or self.run is None or self._updated == step:
            return
        self._updated = step
        if self.lisa:
            self._track_lisa(step, model, optimizer)
        if self.norms_every and step % self.norms_every == 0:
            self._norms(model, step)

    def _norms(self, model, step):
        self._measured = step
        self.run.layer_norms(model, step, modules=self.modules, groups=self.groups, track_update=self.track_update)

    def _track_lisa(self, step, model, optimizer):
        if self._blocks is None:
            from .norms import block_parameters

            self._blocks = block_parameters(model, self.groups)
        active = sorted(i for i, params in self._blocks.items() if any(p.requires_grad for p in params))
        if active == self._active:
            return
        first = self._active is None
        previous = self._active or []
        self._active = active
        if first and len(active) == len(self._blocks):
            return  # every block trains: full fine-tuning or LoRA, not LISA
        reset = self.lisa_reset
        if reset is None:
            reset = False
            stopped = [i for i in previous if i not in active]
            state = getattr(optimizer, "state", None)
            if stopped and state is not None:
                reset = not any(len(state.get(p, {})) > 0 for i in stopped for p in self._blocks[i])
        self.run.lisa_period(active, step, reset=reset)


def _nothing(*args, **kwargs):
    return None


def _main_process(state):
    return getattr(state, "is_world_process_zero", True) is not False


def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _config(args):
    to_dict = getattr(args, "to_dict", None)
    raw = to_dict() if callable(to_dict) else dict(getattr(args, "__dict__", {}))
    keep = {}
    for key, value in raw.items():
        if isinstance(value, (str, bool, int, float)) or value is None:
            keep[key] = value
    if "max_steps" in keep and isinstance(keep["max_steps"], int) and keep["max_steps"] > 0:
        keep.setdefault("steps", keep["max_steps"])
    return keep
