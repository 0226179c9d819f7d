"""Run commands side by side and stop them together: `make run`'s web server and its worker.

    python scripts/together.py "COMMAND ONE" "COMMAND TWO" ...

When one of them ends (the server stopped, the worker crashed), the others are asked to stop
(SIGTERM, then SIGKILL after 10 seconds); a SIGTERM to this script asks them all. Ctrl-C
reaches every command through the terminal. Exits with the status of the first to end.
"""

import shlex
import signal
import subprocess
import sys
import time


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(commands: list[str]) -> int:
    if not commands:
        print(__doc__)
        return 2
    processes = [subprocess.Popen(shlex.split(command)) for command in commands]
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: stop(processes))
    try:
        while True:
            ended = [process for process in processes if process.poll() is not None]
            if ended:
                return ended[0].returncode
            time.sleep(0.2)
    finally:
        stop(processes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
