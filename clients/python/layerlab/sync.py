"""`python -m layerlab sync RUN_DIR`: send a run directory's events file to its server. Safe to repeat: the
server skips every seq it already stored. An offline run is registered first (admin token)."""
import os

from . import transport
from .protocol import read_events, encode
from .run import EVENTS_FILE, _write_meta, read_meta
from .transport import LayerLabError


def sync(run_dir, url=None, token=None, timeout=30.0):
    """Returns {"runId", "url", "events", "stored", "duplicates"}. Raises LayerLabError or transport.Unreachable."""
    meta = read_meta(run_dir)
    url = url or meta.get("url") or os.environ.get("LAYERLAB_URL")
    if not url:
        raise LayerLabError("%s names no server: pass --url (or set LAYERLAB_URL)" % run_dir)
    path = os.path.join(run_dir, EVENTS_FILE)
    if not os.path.exists(path):
        raise LayerLabError("%s has no %s" % (run_dir, EVENTS_FILE))
    events = read_events(path)
    if not meta.get("runId") or url.rstrip("/") != (meta.get("url") or "").rstrip("/"):
        admin = token if token is not None else os.environ.get("LAYERLAB_ADMIN_TOKEN")
        meta["runId"], meta["token"] = transport.register_run(
            url, admin, meta.get("label"), meta.get("config"), meta.get("kind"), meta.get("sweepId"), timeout)
        meta["url"] = url
        _write_meta(run_dir, meta)  # a second sync goes to the same run
    # Re-encode in seq order: a file may hold a resumed run's events after a restart of the writer.
    lines = [encode(e) for e in sorted(events, key=lambda e: e["seq"])]
    stored = duplicates = 0
    for chunk in transport.chunks(lines):
        answer = transport.post_events(url, meta["runId"], meta["token"], chunk, timeout)
        stored += answer.get("stored", 0)
        duplicates += answer.get("duplicates", 0)
        for problem in answer.get("errors") or []:
            raise LayerLabError("the server rejected an event of %s: line %s: %s"
                                % (path, problem.get("line"), problem.get("message")))
    return {"runId": meta["runId"], "url": url, "events": len(lines), "stored": stored, "duplicates": duplicates}
