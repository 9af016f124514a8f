"""A run as the training script sees it: numbered events, written to a durable NDJSON file and, when the run
has a server, posted to it in seq order with retries (the server skips a seq it already stored)."""
import atexit
import json
import os
import platform
import sys
import time
import warnings

from . import protocol, transport
from .protocol import FAILURE_REASONS, check_step, envelope, encode, values_dict
from .transport import LayerLabError, Unreachable

EVENTS_FILE = "events.ndjson"
META_FILE = "layerlab-run.json"


class Run:
    """Use `layerlab.init()` to get one. Modes: 'http' (posts to the server, keeps a copy in the run
    directory), 'file' (appends to a file the server tails), 'offline' (run directory only; `python -m
    layerlab sync DIR` sends it later)."""

    def __init__(self, mode, events_file, run_dir=None, url=None, run_id=None, token=None, start_seq=0,
                 timeout=10.0, finish_timeout=60.0, flush_interval=1.0):
        self.mode = mode
        self.id = run_id
        self.url = url
        self.dir = run_dir
        self.events_file = events_file
        self._token = token
        self._timeout = timeout
        self._finish_timeout = finish_timeout
        self._flush_interval = flush_interval
        self._seq = start_seq
        self._fd = os.open(events_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._pending = []  # (seq, line) not yet acknowledged by the server, in seq order
        self._failures = 0
        self._next_try = 0.0
        self._last_send = 0.0
        self._warned = False
        self._refused = None
        self._period = -1
        self._last_step = 0
        self._auto_step = 0
        self._norms = {}
        self._lisa = None
        self.closed = False
        self.resumed_from = None  # a resumed run: the last step its events file held (see resumed_steps)
        self.resumed_steps = {}  # a resumed run: event type -> the last step of that type the file held
        _live.append(self)

    # ---- events -------------------------------------------------------------------------------------------
    def _emit(self, body):
        if self.closed:
            raise LayerLabError("run %s is already finished; start a new one with layerlab.init()" % self.name)
        line = encode(envelope(self._seq, body))
        os.write(self._fd, (line + "\n").encode("utf-8"))
        if self.mode == "http":
            self._pending.append((self._seq, line))
        self._seq += 1
        step = body.get("step")
        if isinstance(step, int):
            self._last_step = max(self._last_step, step)
        if self.mode == "http" and (time.monotonic() - self._last_send >= self._flush_interval
                                    or len(self._pending) >= 200):
            self._send(None)

    @property
    def name(self):
        return self.id or self.dir or self.events_file

    @property
    def next_seq(self):
        return self._seq

    def log(self, values, step=None):
        """Training metrics at `step` (default: one after the previous log): {"train/loss": 1.2, "lr": 1e-4}."""
        step = self._step(step)
        self._emit({"type": "metrics", "step": step, "values": values_dict(values)})

    def log_eval(self, values, step=None):
        """Held-out evaluation at `step`: {"eval/loss": 0.9, "eval/accuracy": 0.5}."""
        step = check_step(self._last_step if step is None else step)
        self._emit({"type": "eval", "step": step, "values": values_dict(values)})

    def _step(self, step):
        step = check_step(self._auto_step if step is None else step)
        self._auto_step = step + 1
        return step

    def lisa_period(self, active, step, reset=False, period=None, reset_scope=None):
        """A LISA draw: the blocks (indices) that train from `step` on. Periods count from 0. reset: whether
        AdamW state was dropped at the switch; reset_scope: whose, "blocks" or "all" (optional)."""
        step = check_step(step)
        if reset_scope not in (None, "blocks", "all"):
            raise ValueError("reset_scope must be 'blocks' or 'all', got %r" % (reset_scope,))
        blocks = sorted(set(int(check_step(b)) for b in active))
        self._period = self._period + 1 if period is None else check_step(period)
        body = {"type": "lisa_period", "step": step, "period": self._period, "active": blocks, "reset": bool(reset)}
        if reset and reset_scope:
            body["reset_scope"] = reset_scope
        self._emit(body)

    def log_norms(self, groups, step, modules=None):
        """Precomputed norms: {"block.0": {"weight": …, "update": …, "trainable": …, "grad": …}}."""
        body = {"type": "layer_norms", "step": check_step(step), "groups": _entries(groups)}
        if modules:
            body["modules"] = _entries(modules)
        self._emit(body)

    def layer_norms(self, model, step, every=None, modules=True, groups=None, track_update=True):
        """Measure a torch module's per-layer norms and log them (see layerlab.norms). With `every`, only
        when step % every == 0. The first call keeps W₀ on the CPU (unless track_update=False): make it
        before the first optimizer step. Returns the report, or None when skipped."""
        step = check_step(step)
        if every and step % every != 0:
            return None
        from .norms import NormTracker

        tracker = self._norms.get(id(model))
        if tracker is None:
            tracker = self._norms[id(model)] = NormTracker(model, group_of=groups, track_update=track_update)
        report = tracker.measure()
        self.log_norms(report["groups"], step, report["modules"] if modules else None)
        return report

    def log_message(self, message, level="info", step=None):
        body = {"type": "log", "level": level, "message": str(message)[:10000]}
        if step is not None:
            body["step"] = check_step(step)
        self._emit(body)

    def finish(self, summary=None):
        """Mark the run finished with summary values, send what is buffered, and close it."""
        self._emit({"type": "finished", "step": self._last_step, "summary": values_dict(summary or {})})
        self._close()

    def fail(self, reason="error", message=""):
        """Mark the run failed: reason is one of diverged, error, oom, cancelled, timeout."""
        if reason not in FAILURE_REASONS:
            raise ValueError("reason must be one of %s, got %r" % (", ".join(FAILURE_REASONS), reason))
        body = {"type": "failed", "step": self._last_step, "reason": reason, "message": str(message)[:10000]}
        self._emit(body)
        self._close()

    # ---- sending ------------------------------------------------------------------------------------------
    def flush(self, timeout=None):
        """Send buffered events, retrying for up to `timeout` seconds (default: the run's finish timeout).
        Returns how many are still unsent (they stay in the events file for `python -m layerlab sync`)."""
        if self.mode != "http":
            return 0
        self._send(time.monotonic() + (self._finish_timeout if timeout is None else timeout))
        return len(self._pending)

    def _send(self, deadline):
        while self._pending and self._refused is None:
            now = time.monotonic()
            if now < self._next_try:
                if deadline is None or self._next_try > deadline:
                    return
                time.sleep(self._next_try - now)
            self._last_send = time.monotonic()
            chunk = next(transport.chunks([line for _, line in self._pending]))
            try:
                answer = transport.post_events(self.url, self.id, self._token, chunk, self._timeout)
            except Unreachable as e:
                self._failures += 1
                self._next_try = time.monotonic() + min(0.25 * 2 ** (self._failures - 1), 10.0)
                if not self._warned:
                    self._warned = True
                    _warn("server unreachable (%s); events are kept in %s and retried" % (e, self.events_file))
                if deadline is None:
                    return
                continue
            except LayerLabError as e:
                self._refused = str(e)
                _warn("the server refused events (%s); they stay in %s" % (e, self.events_file))
                return
            last = answer.get("lastSeq") if isinstance(answer, dict) else None
            sent_up_to = self._pending[len(chunk) - 1][0]
            acked = last if isinstance(last, int) and last >= sent_up_to else sent_up_to
            self._pending = [p for p in self._pending if p[0] > acked]
            for problem in (answer.get("errors") or []) if isinstance(answer, dict) else []:
                _warn("the server rejected an event: line %s: %s" % (problem.get("line"), problem.get("message")))
            if self._failures:
                self._failures = 0
                self._next_try = 0.0
                self._warned = False
                _warn("server reachable again; sending buffered events")

    def _close(self):
        if self.closed:
            return
        self.closed = True
        left = self.flush()
        if left:
            _warn("%d events of run %s were not sent; send them later with: %s -m layerlab sync %s"
                  % (left, self.name, os.path.basename(sys.executable) or "python", self.dir))
        elif self.mode == "offline":
            _warn("offline run kept in %s; send it with: python -m layerlab sync %s" % (self.dir, self.dir))
        os.close(self._fd)
        if self in _live:
            _live.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if self.closed:
            return False
        if kind is None:
            self.finish()
        else:
            reason = "cancelled" if issubclass(kind, KeyboardInterrupt) else "error"
            self.fail(reason, "%s: %s" % (kind.__name__, value))
        return False


def _entries(entries):
    out = {}
    for name, e in entries.items():
        if not isinstance(name, str) or not name:
            raise ValueError("layer group name must be a non-empty string: %r" % (name,))
        grad = e.get("grad")
        out[name] = protocol.norm_entry(
            protocol.number(e["weight"], name + ".weight"), protocol.number(e["update"], name + ".update"),
            protocol.number(e["trainable"], name + ".trainable"),
            None if grad is None else protocol.number(grad, name + ".grad"))
    return out


def _warn(message):
    print("layerlab: " + message, file=sys.stderr, flush=True)


# ---- the process's open runs: finished at exit (failed when an exception ended the program) ---------------
_live = []
_crash = []
_previous_hook = sys.excepthook


def _excepthook(kind, value, tb):
    _crash.append("%s: %s" % (kind.__name__, value))
    _previous_hook(kind, value, tb)


sys.excepthook = _excepthook


@atexit.register
def _at_exit():
    for run in list(_live):
        try:
            if _crash:
                run.fail("error", _crash[0])
            else:
                run.finish()
        except Exception as e:  # never turn a clean exit into a traceback
            _warn("could not close run %s: %s" % (run.name, e))


# ---- starting a run ---------------------------------------------------------------------------------------
def _backend():
    torch = sys.modules.get("torch")
    if torch is not None and getattr(torch, "cuda", None) is not None and torch.cuda.is_available():
        return {"name": "pytorch", "gpu": True, "device": torch.cuda.get_device_name(0)}
    name = "pytorch" if torch is not None else "python"
    return {"name": name, "gpu": False, "device": platform.processor() or platform.machine() or "cpu"}


def _last_seq_and_step(path, per_type=None):
    """Last seq and step in an events file (a partial last line is cut off first), or (-1, None). With a dict
    `per_type`, also the last step of each event type in it."""
    if not os.path.exists(path):
        return -1, None
    with open(path, "rb") as f:
        data = f.read()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        os.truncate(path, end)
    last, step = -1, None
    for raw in data[:end].split(b"\n"):
        if not raw.strip():
            continue
        try:
            e = protocol.decode(raw.decode("utf-8"))
        except ValueError:
            continue
        if e["seq"] > last:
            last = e["seq"]
        if isinstance(e.get("step"), int):
            step = e["step"] if step is None else max(step, e["step"])
            if per_type is not None:
                per_type[e["type"]] = max(per_type.get(e["type"], e["step"]), e["step"])
    return last, step


def _truthy(value):
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


def _write_meta(run_dir, meta):
    path = os.path.join(run_dir, META_FILE)
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it may hold the run's token
    with os.fdopen(fd, "w") as f:
        json.dump(meta, f, indent=2)
    os.replace(path + ".tmp", path)


def read_meta(run_dir):
    path = os.path.join(run_dir, META_FILE)
    if not os.path.exists(path):
        raise LayerLabError("%s is not a LayerLab run directory (no %s)" % (run_dir, META_FILE))
    with open(path) as f:
        return json.load(f)


def init(url=None, token=None, label=None, config=None, kind=None, sweep_id=None, dir=None, mode=None,
         resume=None, timeout=10.0, finish_timeout=60.0, flush_interval=1.0):
    """Start (or resume) a run.

    Without arguments it follows the environment a LayerLab server gives the programs it launches:
    LAYERLAB_EVENTS_FILE (append events there; the server tails it), else LAYERLAB_URL with LAYERLAB_RUN_ID
    and LAYERLAB_RUN_TOKEN (post them). With `url` (or LAYERLAB_URL alone) it registers a new external run
    using the admin `token` (or LAYERLAB_ADMIN_TOKEN). `mode="offline"` (or a server that cannot be
    reached at registration) keeps the run in its directory for `python -m layerlab sync DIR`.
    """
    env = os.environ
    resume = _truthy(env.get("LAYERLAB_RESUME")) if resume is None else bool(resume)
    if mode not in (None, "online", "offline"):
        raise ValueError("mode must be 'online' or 'offline', got %r" % (mode,))
    config = dict(config or {})
    options = dict(timeout=timeout, finish_timeout=finish_timeout, flush_interval=flush_interval)

    if url is None and mode != "offline" and env.get("LAYERLAB_EVENTS_FILE"):
        return _start(Run("file", env["LAYERLAB_EVENTS_FILE"], env.get("LAYERLAB_RUN_DIR"), env.get("LAYERLAB_URL"),
                          env.get("LAYERLAB_RUN_ID"), **options), config, resume)
    if url is None and mode != "offline" and env.get("LAYERLAB_RUN_ID") and env.get("LAYERLAB_RUN_TOKEN"):
        if not env.get("LAYERLAB_URL"):
            raise LayerLabError("LAYERLAB_RUN_ID is set but LAYERLAB_URL is not: where should events go?")
        run_id = env["LAYERLAB_RUN_ID"]
        run_dir = _run_dir(dir or env.get("LAYERLAB_RUN_DIR"), run_id)
        meta = {"url": env["LAYERLAB_URL"], "runId": run_id, "token": env["LAYERLAB_RUN_TOKEN"], "label": label}
        return _open(run_dir, meta, config, resume, "http", options)

    url = url or env.get("LAYERLAB_URL")
    if url is None and mode != "offline":
        raise LayerLabError("no LayerLab server: pass url=… (or set LAYERLAB_URL), or use mode='offline'")
    token = token if token is not None else env.get("LAYERLAB_ADMIN_TOKEN")
    meta = {"url": url, "runId": None, "token": None, "label": label, "kind": kind, "sweepId": sweep_id,
            "config": config}
    if dir or env.get("LAYERLAB_RUN_DIR"):  # refuse a used directory before registering a run for it
        _refuse_used(os.path.join(dir or env["LAYERLAB_RUN_DIR"], EVENTS_FILE), resume)
    if mode != "offline":
        try:
            meta["runId"], meta["token"] = transport.register_run(url, token, label, config, kind, sweep_id, timeout)
        except Unreachable as e:
            _warn("cannot reach %s (%s); running offline" % (url, e))
    run_dir = _run_dir(dir or env.get("LAYERLAB_RUN_DIR"), meta["runId"])
    return _open(run_dir, meta, config, resume, "http" if meta["runId"] else "offline", options)


def _run_dir(path, run_id):
    if path:
        return path
    name = run_id or "offline-%s-%d" % (time.strftime("%Y%m%d-%H%M%S"), os.getpid())
    return os.path.join("layerlab-runs", name)


def _open(run_dir, meta, config, resume, mode, options):
    os.makedirs(run_dir, exist_ok=True)
    events = os.path.join(run_dir, EVENTS_FILE)
    _refuse_used(events, resume)
    if os.path.exists(os.path.join(run_dir, META_FILE)):
        old = read_meta(run_dir)
        if old.get("runId") and meta.get("runId") and old["runId"] != meta["runId"]:
            raise LayerLabError("%s belongs to run %s, not %s; use another directory"
                                % (run_dir, old["runId"], meta["runId"]))
        if mode == "offline" and resume:
            meta = old
    _write_meta(run_dir, meta)
    run = Run(mode, events, run_dir, meta.get("url"), meta.get("runId"), meta.get("token"), **options)
    return _start(run, config, resume)


def _refuse_used(events_file, resume, per_type=None):
    """(last seq, last step) of an events file; refuses one that holds events unless the run resumes."""
    last, step = _last_seq_and_step(events_file, per_type)
    if last >= 0 and not resume:
        raise LayerLabError("%s already holds events (up to seq %d); pass resume=True or set LAYERLAB_RESUME=1 "
                            "to continue that run" % (events_file, last))
    return last, step


def _start(run, config, resume):
    try:
        last, step = _refuse_used(run.events_file, resume, run.resumed_steps)
    except LayerLabError:
        os.close(run._fd)
        _live.remove(run)
        raise
    run._seq = last + 1
    if run.mode == "http" and last >= 0:  # an earlier process's unsent events first; the server skips the rest
        run._pending = [(e["seq"], protocol.encode(e)) for e in protocol.read_events(run.events_file)]
    if step is not None:
        run._last_step = step
        run._auto_step = step + 1
    body = {"type": "run_started", "config": config, "backend": _backend(),
            "model": {"params": 0, "trainableParams": 0, "groups": []}}
    if resume and last >= 0:
        body["resumedFrom"] = step or 0
        run.resumed_from = step
    run._emit(body)
    return run
