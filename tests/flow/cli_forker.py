"""Starts `workbench` CLI processes by forking one that has already imported the workbench.

`python -m tests.flow.cli_forker` reads commands on stdin, one JSON line each, and answers each on
stdout:
- `{"run": [argv...], "out": path, "err": path}` forks a child that runs `workbench.cli.main(argv)` with
  its stdout and stderr in those files; answers `{"pid": n}`.
- `{"wait": n}` waits for child n; answers `{"status": s}` (its exit code, or minus the signal that
  killed it).
A child is a real process running the real CLI: SIGKILL ends it as it would end `workbench flow`. The
forking only saves the interpreter's start-up (about 1.5 s of CPU for Python, pandas and the rest),
which would otherwise dominate a test that starts the CLI dozens of times.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

import workbench.cli as cli


def _child(argv: list[str], out: str, err: str) -> None:
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
        os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
        code = cli.main(argv)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main() -> None:
    for line in sys.stdin:
        command = json.loads(line)
        if "run" in command:
            pid = os.fork()
            if pid == 0:
                _child(command["run"], command["out"], command["err"])
            answer: dict[str, int] = {"pid": pid}
        else:
            _, status = os.waitpid(int(command["wait"]), 0)
            answer = {"status": os.waitstatus_to_exitcode(status)}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
