"""The event protocol (v1) as the server reads it: lib/protocol/index.ts is the authority.

One JSON object per line. Non-finite numbers travel as the strings "NaN", "Infinity", "-Infinity".
"""
import datetime
import json
import math
import numbers

PROTOCOL_VERSION = 1
MAX_KEY_LENGTH = 200
FAILURE_REASONS = ("diverged", "error", "oom", "cancelled", "timeout")


def wire_number(value):
    """A float for JSON, or the protocol's string for NaN / ±Infinity."""
    x = float(value)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def from_wire(value):
    """The inverse of wire_number."""
    if value == "NaN":
        return math.nan
    if value == "Infinity":
        return math.inf
    if value == "-Infinity":
        return -math.inf
    return value


def number(value, what):
    """A plain float from an int, float, numpy or 0-d torch scalar; ValueError naming `what` otherwise."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, numbers.Real):
        return float(value)
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return number(item(), what)
        except (TypeError, ValueError, RuntimeError):
            pass
    raise ValueError("%s is not a number: %r" % (what, value))


def check_step(step):
    if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 0:
        raise ValueError("step must be a non-negative integer, got %r" % (step,))
    return int(step)


def values_dict(values):
    """Validate a {key: number} dict into {key: wire number}. Raises ValueError naming the bad entry."""
    if not isinstance(values, dict):
        raise ValueError("values must be a dict of {key: number}, got %s" % type(values).__name__)
    out = {}
    for key, value in values.items():
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_LENGTH:
            raise ValueError("metric key must be a string of 1 to %d characters: %r" % (MAX_KEY_LENGTH, key))
        out[key] = wire_number(number(value, "value of %r" % key))
    return out


def norm_entry(weight, update, trainable, grad=None):
    entry = {"weight": wire_number(weight), "update": wire_number(update), "trainable": wire_number(trainable)}
    if grad is not None:
        entry["grad"] = wire_number(grad)
    return entry


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def envelope(seq, body):
    event = {"v": PROTOCOL_VERSION, "seq": seq, "time": now()}
    event.update(body)
    return event


def encode_value(value):
    """JSON with non-finite floats written as the protocol says, on one line."""
    return json.dumps(_wire(value), allow_nan=False, separators=(",", ":"))


def encode(event):
    """One NDJSON line (no newline)."""
    return encode_value(event)


def _wire(value):
    if isinstance(value, float) and not math.isfinite(value):
        return wire_number(value)
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_wire(v) for v in value]
    return value


def decode(line):
    """Parse one line into a dict with at least v, seq and type; ValueError naming the problem otherwise."""
    try:
        event = json.loads(line)
    except ValueError:
        raise ValueError("not valid JSON: %s" % line[:120])
    if not isinstance(event, dict) or event.get("v") != PROTOCOL_VERSION:
        raise ValueError("not a protocol v%d event: %s" % (PROTOCOL_VERSION, line[:120]))
    seq = event.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0 or not isinstance(event.get("type"), str):
        raise ValueError("event without a valid seq and type: %s" % line[:120])
    return event


def read_events(path):
    """Events of an NDJSON file in file order, skipping a partial last line (a writer killed mid-line)."""
    with open(path, "r", encoding="utf-8") as f:
        text = f.read()
    end = text.rfind("\n") + 1
    events = []
    for number_, line in enumerate(text[:end].split("\n"), start=1):
        if not line.strip():
            continue
        try:
            events.append(decode(line))
        except ValueError as e:
            raise ValueError("%s line %d: %s" % (path, number_, e))
    return events
