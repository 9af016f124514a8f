"""HTTP to a LayerLab server with the standard library: register a run, post NDJSON events."""
import json
import socket
import urllib.error
import urllib.request

from .protocol import encode_value

# Stay well under the server's 8 MiB body limit.
MAX_BODY_BYTES = 4 << 20
MAX_BODY_EVENTS = 2000


class LayerLabError(Exception):
    """The server refused a request (bad token, bad input); retrying the same request will not help."""


class Unreachable(Exception):
    """No answer, or an answer that says try again (5xx): the events stay buffered and are retried."""


def _request(method, url, token=None, body=None, content_type="application/json", timeout=10.0):
    headers = {"Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = content_type
    if token:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return json.loads(res.read().decode("utf-8") or "null")
    except urllib.error.HTTPError as e:
        text = e.read().decode("utf-8", "replace")
        if e.code >= 500 or e.code in (408, 429):
            raise Unreachable("%s %s answered %d" % (method, url, e.code))
        try:
            problem = json.loads(text)
        except ValueError:
            problem = {"error": text[:300]}
        raise LayerLabError("%s %s answered %d: %s" % (method, url, e.code, _describe(problem)))
    except (urllib.error.URLError, ConnectionError, socket.timeout, OSError) as e:
        raise Unreachable("%s %s failed: %s" % (method, url, getattr(e, "reason", e)))


def _describe(problem):
    if not isinstance(problem, dict):
        return str(problem)[:300]
    text = str(problem.get("error", problem))
    lines = problem.get("errors")
    if isinstance(lines, list) and lines:
        text += "; " + "; ".join("line %s: %s" % (x.get("line"), x.get("message")) for x in lines[:5])
    return text


def register_run(url, admin_token=None, label=None, config=None, kind=None, sweep_id=None, timeout=10.0):
    """POST /api/runs: returns (run id, run token)."""
    body = {}
    if label is not None:
        body["label"] = label
    if config is not None:
        body["config"] = config
    if kind is not None:
        body["kind"] = kind
    if sweep_id is not None:
        body["sweepId"] = sweep_id
    data = encode_value(body).encode("utf-8")
    res = _request("POST", url.rstrip("/") + "/api/runs", admin_token, data, timeout=timeout)
    return res["id"], res["token"]


def post_events(url, run_id, token, lines, timeout=10.0):
    """POST /api/runs/:id/events with NDJSON lines; returns the server's answer (lastSeq, gaps, errors…)."""
    body = ("\n".join(lines) + "\n").encode("utf-8")
    target = "%s/api/runs/%s/events" % (url.rstrip("/"), run_id)
    return _request("POST", target, token, body, "application/x-ndjson", timeout)


def chunks(lines):
    """Split lines into bodies that fit the limits, keeping their order."""
    chunk, size = [], 0
    for line in lines:
        n = len(line.encode("utf-8")) + 1
        if chunk and (size + n > MAX_BODY_BYTES or len(chunk) >= MAX_BODY_EVENTS):
            yield chunk
            chunk, size = [], 0
        chunk.append(line)
        size += n
    if chunk:
        yield chunk
