"""What one hostile code submission costs the grading host: wall time and the grading
process's peak memory, beside the exercise's own limits (its budget).

    python benchmarks/hostile_grading.py [--exercise coding/edit-distance]

Each submission is graded through the real `hireloop grade` command, in a process of its own
(so that its peak memory is that grade's). Prints one row per submission: outcome, score,
wall time, peak RSS, and the budget the grade's notes report.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

GRADE = textwrap.dedent("""\
    import sys
    from hireloop.cli import app
    try:
        app(args=sys.argv[1:], prog_name="hireloop", standalone_mode=False)
    finally:
        # VmHWM: this process's own peak (getrusage's maxrss carries the parent's across exec).
        with open("/proc/self/status") as status:
            peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
        print(f"MAXRSS_KB={peak}", file=sys.stderr)
    """)

HOSTILE = {
    "sleeps at import": "import time\ntime.sleep(3600)\n",
    "spins at import": "while True:\n    pass\n",
    "sleeps in every case": "import time\ndef {entry}(*a, **k):\n    time.sleep(3600)\n",
    "spins in every case, timers off": (
        "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
        "def {entry}(*a, **k):\n    signal.setitimer(signal.ITIMER_REAL, 0)\n"
        "    while True:\n        pass\n"),
    "exits the process in every case": "import os\ndef {entry}(*a, **k):\n    os._exit(0)\n",
    "allocates without bound": (
        "def {entry}(*a, **k):\n    x = []\n    while True:\n"
        "        x.append(bytearray(1 << 24))\n"),
    "returns 20 MB": "import numpy as np\ndef {entry}(*a, **k):\n    return np.zeros(2_500_000)\n",
    "returns 200,000 nested lists": (
        "def {entry}(*a, **k):\n    x = []\n    for _ in range(200_000):\n        x = [x]\n"
        "    return x\n"),
    "returns a fake array header": (
        "def {entry}(*a, **k):\n    return {{'__nd__': 0, 'dtype': 'O', 'shape': [10**9]}}\n"),
    "floods its output": "import sys\ndef {entry}(*a, **k):\n    while True:\n"
                         "        sys.stdout.write('x' * 65536)\n",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exercise", default="coding/edit-distance")
    parser.add_argument("--entry", default="edit_distance")
    args = parser.parse_args()
    print(f"{args.exercise}: one hostile submission per row, graded by `hireloop grade`")
    print(f"{'submission':34} {'outcome':8} {'score':>6} {'wall s':>7} {'RSS MB':>7} "
          f"{'budget s':>9}")
    worst_wall = worst_rss = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name, source in HOSTILE.items():
            path = Path(tmp) / "answer.py"
            path.write_text(source.format(entry=args.entry))
            started = time.monotonic()
            out = subprocess.run([sys.executable, "-c", GRADE, "grade", args.exercise,
                                  str(path), "--json"], capture_output=True, text=True,
                                 check=False)
            wall = time.monotonic() - started
            grade = json.loads(out.stdout)
            rss = int(out.stderr.rsplit("MAXRSS_KB=", 1)[1].split()[0]) / 1024
            last = (grade.get("notes") or [""])[-1]
            budget = last.rsplit(" of a ", 1)[1].split(" s budget")[0] if " s budget" in last \
                else "?"
            worst_wall, worst_rss = max(worst_wall, wall), max(worst_rss, rss)
            print(f"{name:34} {grade['outcome']:8} {grade['score']:6.3f} {wall:7.1f} "
                  f"{rss:7.0f} {budget:>9}")
    print(f"worst: {worst_wall:.1f} s wall, {worst_rss:.0f} MB peak RSS of the grading process")


if __name__ == "__main__":
    main()
