"""What the checkpoint test scripts share: a fresh work folder, `vp run` with
its exit code, output and --stats, and checks that are all reported before
the script fails."""
import json
import os
import shutil
import subprocess
import sys


class Harness:
    def __init__(self, vp_path, work, max_instructions):
        self.vp_path = vp_path
        self.work = work
        self.max_instructions = max_instructions
        self.failures = []
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)

    def expect(self, cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            self.failures.append(what)

    def vp(self, *args, stats=None):
        cmd = [self.vp_path, "run", *args, "-q", "--max-instructions", str(self.max_instructions)]
        if stats:
            cmd += ["--stats", os.path.join(self.work, stats)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        result = {"rc": p.returncode, "out": p.stdout, "err": p.stderr}
        if stats and os.path.exists(os.path.join(self.work, stats)):
            with open(os.path.join(self.work, stats)) as f:
                result["stats"] = json.load(f)["stats"]
        return result

    def truncated_copy(self, checkpoint, name, cut_bytes):
        """A copy of `checkpoint` in the work folder whose state.bin lacks its last `cut_bytes`."""
        copy = os.path.join(self.work, name)
        shutil.copytree(checkpoint, copy)
        state = os.path.join(copy, "state.bin")
        with open(state, "r+b") as f:
            f.truncate(os.path.getsize(state) - cut_bytes)
        return copy

    def finish(self):
        if self.failures:
            sys.exit(f"{len(self.failures)} check(s) failed")
