"""Command line: `python -m layerlab sync RUN_DIR [--url URL] [--token ADMIN_TOKEN]`."""
import argparse
import sys

from .sync import sync
from .transport import LayerLabError, Unreachable


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m layerlab", description="LayerLab client")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("sync", help="send a run directory's events to its LayerLab server")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    p.add_argument("--url", help="server URL (default: the one the run was started with, or LAYERLAB_URL)")
    p.add_argument("--token", help="admin token, to register an offline run (default: LAYERLAB_ADMIN_TOKEN)")
    args = parser.parse_args(argv)
    status = 0
    for run_dir in args.run_dirs:
        try:
            r = sync(run_dir, url=args.url, token=args.token)
        except (LayerLabError, Unreachable, ValueError, OSError) as e:
            print("layerlab sync: %s: %s" % (run_dir, e), file=sys.stderr)
            status = 1
            continue
        print("%s: %d events to run %s at %s (%d new, %d already stored)"
              % (run_dir, r["events"], r["runId"], r["url"], r["stored"], r["duplicates"]))
    return status


if __name__ == "__main__":
    sys.exit(main())
