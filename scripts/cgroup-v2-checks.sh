#!/usr/bin/env bash
# Runs inside the cgroup v2 guest of scripts/test-cgroup-v2 (as root): every check must hold.
# Env: HOST_LOOP_S (the host's time for the speed loop), RUN_PYTEST (1: run tests/sandbox).
set -uo pipefail
export PATH=/opt/venv/bin:$PATH
failed=()
check() { if [ "$1" = 0 ]; then echo "ok: $2"; else echo "FAILED: $2"; failed+=("$2"); fi; }

echo "== guest: $(uname -r), $(stat -fc %T /sys/fs/cgroup), $(nproc) CPUs"
echo "root controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; check $? "the guest runs cgroup v2 only"

t0=$SECONDS
if [ ! -x /opt/venv/bin/hireloop ]; then
  python3 -m venv /opt/venv && pip install -q --no-index --find-links /opt/wheels \
    /opt/wheels/hireloop-*.whl --no-deps && pip install -q --no-index --find-links /opt/wheels \
    pydantic pluggy typer rich jinja2 pydantic-settings numpy pytest pytest-timeout hypothesis \
    pexpect
  check $? "offline install ($((SECONDS - t0)) s)"
fi

here=$(python3 -c 'import time; t=time.perf_counter(); sum(i*i for i in range(3_000_000)); print(round(time.perf_counter()-t, 3))')
factor=$(python3 -c "print(max(1.0, round($here / max(${HOST_LOOP_S:-$here}, 1e-3), 1)))")
echo "speed: the loop takes ${here} s here, ${HOST_LOOP_S:-?} s on the host: factor ${factor}"

leftovers() {  # processes of sandbox uids, our cgroups, run dirs
  local p g
  p=$(ps -e --no-headers -o uid=,pid= | awk '$1>=61000 && $1<62000' | wc -l)
  g=$(find /sys/fs/cgroup -path '*/hireloop/*' -mindepth 1 -maxdepth 3 -type d 2>/dev/null | wc -l)
  echo "$p $g"
}

hireloop sandbox doctor --probe >/root/doctor.txt 2>&1
check $? "sandbox doctor --probe all green"
grep -E "cgroup|memory" /root/doctor.txt | head -4

mkdir -p /root/progs && cd /root/progs
printf 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n' >forkbomb.py
printf 'b = bytearray(10 * 1024**3)\nprint(len(b))\n' >mem10g.py
printf 'x = []\nwhile True:\n    x.append(bytearray(1 << 20))\n' >memgrow.py
printf 'while True:\n    pass\n' >loop.py
printf 'import sys\nchunk = b"x" * (1 << 20)\nfor _ in range(1024):\n    sys.stdout.buffer.write(chunk)\n' >flood.py
printf 'import os, time\nfor _ in range(20):\n    if os.fork() == 0:\n        os.setsid(); time.sleep(1000)\nprint("parent done")\n' >orphans.py
printf 'b = bytearray(200 * 1024**2)\nfor i in range(0, len(b), 4096): b[i] = 1\ndel b\nprint("ok")\n' >peak200.py

# name, python check on the result (d), arguments
hostile() {
  local name=$1 expect=$2; shift 2
  timeout 180 hireloop sandbox run "$@" --json >"$name.json" 2>"$name.err"
  python3 - "$name" "$expect" <<'PY'
import json, sys
name, expect = sys.argv[1], sys.argv[2]
try:
    d = json.load(open(f"{name}.json"))
except ValueError:
    print(f"  {name}: no JSON result:", open(f"{name}.err").read()[-500:]); sys.exit(1)
print(f"  {name}: {d.get('verdict')} — {d.get('detail')} (memory {d.get('memory_mb', 0):.0f} MB, "
      f"wall {d.get('wall_s', 0):.1f} s)")
sys.exit(0 if eval(expect) else 1)
PY
  check $? "hostile $name"
  read -r procs groups < <(leftovers)
  [ "$procs" = 0 ] && [ "$groups" = 0 ]
  check $? "nothing left behind after $name (processes $procs, cgroups $groups)"
}
hostile forkbomb "d['verdict'] == 'time_limit' and 'process limit' in d['detail']" forkbomb.py --time 30  # room to reach the limit when emulated
hostile mem10g "d['verdict'] == 'memory_limit'" mem10g.py
hostile memgrow "d['verdict'] == 'memory_limit'" memgrow.py --time 60  # emulated CPUs are slow
hostile loop "d['verdict'] == 'time_limit'" loop.py --time 2
hostile flood "d['verdict'] == 'output_limit'" flood.py
hostile orphans "d['verdict'] == 'ok'" orphans.py
hostile peak200 "d['verdict'] == 'ok' and d['memory_mb'] >= 200" peak200.py --memory 512 --time 30

cd /opt/hireloop
# an exercise whose hidden cases are light: under emulation (about 10x slower) a heavier one's
# cases come near their CPU limits whenever the host is busy
EX=coding/stable-log-softmax
grade() {  # label; the grade of the exercise's reference must be 1.0
  timeout 600 hireloop grade "$EX" "bank/$EX/hidden/reference.py" \
    --json >/root/grade.json 2>/root/grade.err
  python3 -c 'import json,sys; d=json.load(open("/root/grade.json")); print("  score", d["score"], d["outcome"]); sys.exit(0 if d["score"] == 1.0 else 1)' \
    || tail -5 /root/grade.err
  check $? "$1"
}
t0=$SECONDS
grade "a grade of $EX's reference is 1.0"
echo "  took $((SECONDS - t0)) s"

# A container with its own cgroup namespace (Docker on cgroup v2): the namespace's root group
# holds the container's processes, so controllers cannot be enabled there until they move, and
# the cgroup file system is mounted read-only (the worker remounts it with
# HIRELOOP_SANDBOX_CGROUP_REMOUNT=1, as compose.yaml sets).
echo "+cpu +memory +pids" >/sys/fs/cgroup/cgroup.subtree_control  # as Docker's host side does
mkdir -p /sys/fs/cgroup/container
echo "$$" >/sys/fs/cgroup/container/cgroup.procs
unshare --cgroup --mount --propagation private bash -c '
  umount /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup || exit 1
  mount -o remount,bind,ro /sys/fs/cgroup || exit 1  # read-only for this mount only, as Docker
  echo "  in the container: root group holds $(wc -l </sys/fs/cgroup/cgroup.procs) processes, mount $(findmnt -no OPTIONS /sys/fs/cgroup | cut -d, -f1)"
  export PATH=/opt/venv/bin:$PATH HIRELOOP_SANDBOX_CGROUP_REMOUNT=1
  hireloop sandbox doctor --probe >/root/doctor-container.txt 2>&1 || { tail -20 /root/doctor-container.txt; exit 1; }
  timeout 600 hireloop grade "'"$EX"'" "bank/'"$EX"'/hidden/reference.py" --json >/root/grade-c.json 2>/root/grade-c.err
  python3 -c "import json,sys; d=json.load(open(\"/root/grade-c.json\")); print(\"  score\", d[\"score\"], d[\"outcome\"], d.get(\"message\")); sys.exit(0 if d[\"score\"] == 1.0 else 1)"
'
check $? "in a cgroup namespace whose root holds processes, mounted read-only: doctor green and the grade 1.0"
echo "$$" >/sys/fs/cgroup/cgroup.procs

if [ "${RUN_PYTEST:-1}" = 1 ]; then
  t0=$SECONDS
  HIRELOOP_TEST_SPEED_FACTOR=$factor timeout 1800 python3 -m pytest tests/sandbox -q \
    -p no:cacheprovider 2>&1 | tail -25
  check "${PIPESTATUS[0]}" "pytest tests/sandbox (speed factor $factor, $((SECONDS - t0)) s)"
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "${#failed[@]} check(s) failed:"; printf '  %s\n' "${failed[@]}"; exit 1
fi
echo "every check held"
