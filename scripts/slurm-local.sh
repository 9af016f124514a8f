#!/usr/bin/env bash
# A single-node Slurm on this machine, for tests, CI and trying the Slurm executor (docs/slurm.md):
# Debian's slurm-wlm + munge, controller (slurmctld) and node daemon (slurmd), no systemd, no accounting
# database. Its configuration, state, spool, logs and pid files all live under one folder,
# $LAYERLAB_SLURM_LOCAL (default /tmp/layerlab-slurm); /etc/slurm/slurm.conf is never read or written:
# clients find the cluster through SLURM_CONF, which `start` prints.
#
#   scripts/slurm-local.sh start    start what is not running (idempotent), wait until the node is idle
#   scripts/slurm-local.sh stop     stop the daemons it started (munged too, when it started it)
#   scripts/slurm-local.sh status   the daemons and `sinfo`
#   scripts/slurm-local.sh env      print the export line only
#
# Daemons run as root (SlurmUser=root); run it as root. Ports: LAYERLAB_SLURM_PORT (controller, default
# 6817) and the next one (node daemon).
set -euo pipefail

DIR="${LAYERLAB_SLURM_LOCAL:-/tmp/layerlab-slurm}"
CONF="$DIR/slurm.conf"
PORT="${LAYERLAB_SLURM_PORT:-6817}"
NODE="$(hostname -s)"

die() {
  echo "slurm-local: $*" >&2
  exit 1
}

pid_alive() { # pid file → 0 when its process runs
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

need() {
  local missing=()
  for b in slurmctld slurmd munged sbatch sinfo; do
    command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || missing+=("$b")
  done
  [ ${#missing[@]} -eq 0 ] ||
    die "missing ${missing[*]}: install slurm-wlm munge (apt-get install --no-install-recommends slurm-wlm munge)"
  [ "$(id -u)" -eq 0 ] || die "run as root (the daemons run as root here)"
}

write_conf() {
  mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log" "$DIR/run"
  # The daemons talk over 127.0.0.1, so a host name that does not resolve (fresh containers) does not matter.
  # RealMemory is what the node offers jobs; memory is not a consumable here (CR_Core), so --mem only checks it.
  local mem=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10))
  cat >"$CONF.tmp" <<EOF
# Written by scripts/slurm-local.sh: a single-node cluster for LayerLab's tests.
ClusterName=layerlab
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MinJobAge=600
KillWait=30
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$CONF.tmp" "$CONF"
}

start_munge() {
  munge_ok && return 0
  if [ ! -f /etc/munge/munge.key ]; then # Debian's munge makes one at install; an image may have dropped it
    command -v mungekey >/dev/null 2>&1 || die "no /etc/munge/munge.key and no mungekey to make one (reinstall munge)"
    mkdir -p /etc/munge
    mungekey -c -k /etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
  fi
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  su -s /bin/sh munge -c /usr/sbin/munged
  for _ in $(seq 50); do
    if munge_ok; then
      cp /run/munge/munged.pid "$DIR/run/munged.pid" 2>/dev/null ||
        pgrep -u munge -x munged | head -1 >"$DIR/run/munged.pid"
      return 0
    fi
    sleep 0.1
  done
  die "munged did not start (see /var/log/munge/munged.log)"
}

start() {
  need
  mkdir -p "$DIR/run"
  [ -f "$CONF" ] || write_conf
  start_munge
  export SLURM_CONF="$CONF"
  pid_alive "$DIR/run/slurmctld.pid" || /usr/sbin/slurmctld -f "$CONF" || die "slurmctld failed: $DIR/log/slurmctld.log"
  pid_alive "$DIR/run/slurmd.pid" || /usr/sbin/slurmd -f "$CONF" || die "slurmd failed: $DIR/log/slurmd.log"
  local state=''
  for _ in $(seq 150); do
    state="$(sinfo -h -n "$NODE" -o '%T' 2>/dev/null || true)"
    case "$state" in
    idle* | mixed* | allocated*) break ;;
    down* | drain*) scontrol update nodename="$NODE" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.2
  done
  case "$state" in
  idle* | mixed* | allocated*) ;;
  *) die "the node did not come up (state '${state:-none}'); logs in $DIR/log" ;;
  esac
  echo "slurm-local: up (node $NODE, $(nproc) CPUs, partition debug); for sbatch, squeue and LayerLab:"
  echo "export SLURM_CONF=$CONF"
}

stop_pid() { # pid file, name
  pid_alive "$1" || return 0
  local pid
  pid="$(cat "$1")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "slurm-local: $2 (pid $pid) did not stop on SIGTERM; killing it" >&2
  kill -9 "$pid" 2>/dev/null || true
}

stop() {
  # Jobs still running belong to slurmd's step daemons; end them first so nothing outlives the cluster.
  if pid_alive "$DIR/run/slurmctld.pid"; then
    SLURM_CONF="$CONF" scancel --quiet --full --signal=KILL --partition=debug >/dev/null 2>&1 || true
  fi
  stop_pid "$DIR/run/slurmd.pid" slurmd
  stop_pid "$DIR/run/slurmctld.pid" slurmctld
  pkill_steps
  # munged is shared: keep it while another Slurm daemon on this machine still needs it.
  if ! pgrep -x slurmctld >/dev/null && ! pgrep -x slurmd >/dev/null; then stop_pid "$DIR/run/munged.pid" munged; fi
  rm -f "$DIR/run/munged.pid"
  echo "slurm-local: stopped"
}

pkill_steps() { # step daemons left by this cluster's slurmd (their parent was it, so they are now orphans)
  local p
  for p in $(pgrep -x slurmstepd || true); do
    if grep -q "$DIR" "/proc/$p/environ" 2>/dev/null; then kill -9 "$p" 2>/dev/null || true; fi
  done
}

status() {
  local rc=0
  for d in slurmctld slurmd munged; do
    if pid_alive "$DIR/run/$d.pid"; then echo "$d: running (pid $(cat "$DIR/run/$d.pid"))"
    elif [ "$d" = munged ] && munge_ok; then echo "munged: running (not started by this script)"
    else
      echo "$d: stopped"
      rc=1
    fi
  done
  if pid_alive "$DIR/run/slurmctld.pid"; then SLURM_CONF="$CONF" sinfo || rc=1; fi
  echo "export SLURM_CONF=$CONF"
  return $rc
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
env) echo "export SLURM_CONF=$CONF" ;;
*) die "usage: $0 start|stop|status|env" ;;
esac
