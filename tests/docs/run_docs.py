#!/usr/bin/env python3
"""The documentation is tested (issue 11): every command it shows must work.

README.md and docs/*.md mark runnable examples with the fence info string
`sh run` or `python run`. Each such block runs here, in a scratch folder that
looks like the repository (its top-level entries linked, `build` -> the build
tree under test), so commands work exactly as written from the repository root:
  - `sh run`: each command (backslash continuations joined) runs with bash; it must
    exit 0, or N when the line ends with the comment `# exit N`;
  - `python run`: the block runs as one script with PYTHONPATH=build/python.
Every other `sh` block is checked without running: paths it names under build/,
configs/, scripts/, docs/ and examples/ must exist (build/linux/ only once
scripts/build-linux.sh has made the whole guest), every `--target NAME` must be a
build target, and its programs must exist (vp, the tools on PATH, or a path).
usage: run_docs.py SOURCE_DIR BUILD_DIR [PYTHON]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC, BUILD = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
PYTHON = sys.argv[3] if len(sys.argv) > 3 else sys.executable
FENCE = re.compile(r"^```(\S*)\s*(.*)$")
failures = []


def blocks(path):
    """(info words, first line number, lines) of every fenced block."""
    out, cur = [], None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = FENCE.match(line.rstrip("\n"))
            if m and cur is None:
                cur = ((m.group(1) + " " + m.group(2)).split(), n + 1, [])
            elif line.startswith("```") and cur is not None:
                out.append(cur)
                cur = None
            elif cur is not None:
                cur[2].append(line.rstrip("\n"))
    return out


def commands(lines, first):
    """Shell commands of a block: (line number, text), continuations joined."""
    out, text, start = [], "", None
    for i, line in enumerate(lines):
        if start is None:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            start = first + i
        text += line[:-1] + " " if line.endswith("\\") else line
        if not line.endswith("\\"):
            out.append((start, text))
            text, start = "", None
    return out


def build_targets():
    p = subprocess.run(["cmake", "--build", BUILD, "--target", "help"], capture_output=True, text=True)
    return set(re.findall(r"^\.\.\. (\S+)", p.stdout, re.M))


def scratch():
    """(folder to remove, repository look-alike): ../shared is the repository's sibling too."""
    top = tempfile.mkdtemp(prefix="vp-docs-")
    d = os.path.join(top, "repo")
    os.mkdir(d)
    shared = os.path.join(os.path.dirname(SRC), "shared")
    if os.path.isdir(shared):
        os.symlink(shared, os.path.join(top, "shared"))
    for entry in os.listdir(SRC):
        if entry not in ("build",) and not entry.startswith("."):
            os.symlink(os.path.join(SRC, entry), os.path.join(d, entry))
    os.symlink(BUILD, os.path.join(d, "build"))
    return top, d


def fail(where, what, output=""):
    failures.append(where)
    print(f"FAIL {where}: {what}")
    for line in output.strip().splitlines()[-15:]:
        print("    " + line)


def run_sh(where_base, cmds, cwd):
    for line_no, cmd in cmds:
        where = f"{where_base}:{line_no}"
        if re.search(r"\bcmake\s+(-S|-B)", cmd):
            fail(where, "a runnable block must not configure a build tree (it would reconfigure the one under "
                        "test); leave it unmarked")
            continue
        m = re.search(r"#\s*exit\s+(\d+)\s*$", cmd)
        expected = int(m.group(1)) if m else 0
        try:
            p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=cwd, capture_output=True, text=True,
                               timeout=300, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            fail(where, f"did not finish: {cmd}")
            continue
        if p.returncode != expected:
            fail(where, f"exit {p.returncode}, expected {expected}: {cmd}", p.stdout + p.stderr)
        else:
            print(f"ok   {where}: {cmd}")


def run_python(where, lines, cwd):
    env = dict(os.environ, PYTHONPATH=os.path.join(BUILD, "python"))
    try:
        p = subprocess.run([PYTHON, "-c", "\n".join(lines)], cwd=cwd, env=env, capture_output=True, text=True,
                           timeout=300, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        fail(where, "did not finish")
        return
    if p.returncode != 0:
        fail(where, f"python block exits {p.returncode}", p.stdout + p.stderr)
    else:
        print(f"ok   {where}: python block")


PATH_WORD = re.compile(r"(?<![\w./-])((?:build|configs|scripts|docs|examples|tests|rtl|bench)/[\w./+-]*\w)")


def check_static(where_base, cmds, targets):
    for line_no, cmd in cmds:
        where = f"{where_base}:{line_no}"
        code = cmd.split(" #")[0]
        for word in PATH_WORD.findall(code):
            if word.startswith("build/linux/") and not all(
                    os.path.exists(os.path.join(BUILD, "linux", f)) for f in ("Image", "rootfs.ext4")):
                continue  # the Linux guest exists once scripts/build-linux.sh ran (docs/linux.md)
            root = BUILD if word.startswith("build/") else SRC
            rel = word[len("build/"):] if word.startswith("build/") else word
            if not os.path.exists(os.path.join(root, rel)):
                fail(where, f"names {word}, which does not exist")
        for t in re.findall(r"--target\s+(\S+)", code):
            if t not in targets:
                fail(where, f"--target {t} is not a target of this build")
        words = code.split()
        while words and re.match(r"^\w+=", words[0]):
            words.pop(0)  # VAR=value prefixes
        if not words:
            continue
        prog = words[0]
        if prog in ("vp", "cd", "export", "source", ".") or prog.startswith("venv/"):
            continue  # the installed vp; a venv the block itself creates
        if "/" in prog:
            root = BUILD if prog.startswith("build/") else SRC
            rel = prog[len("build/"):] if prog.startswith("build/") else prog
            if not os.path.exists(os.path.join(root, rel)):
                fail(where, f"runs {prog}, which does not exist")
        elif shutil.which(prog) is None:
            fail(where, f"runs {prog}, which is not installed here")


def main():
    targets = build_targets()
    docs = [os.path.join(SRC, "README.md")] + sorted(
        os.path.join(SRC, "docs", f) for f in os.listdir(os.path.join(SRC, "docs")) if f.endswith(".md"))
    top, cwd = scratch()
    ran = 0
    try:
        for path in docs:
            rel = os.path.relpath(path, SRC)
            for info, first, lines in blocks(path):
                lang = info[0] if info else ""
                where = f"{rel}:{first}"
                if lang == "sh" and "run" in info[1:]:
                    run_sh(rel, commands(lines, first), cwd)
                    ran += 1
                elif lang == "python" and "run" in info[1:]:
                    run_python(where, lines, cwd)
                    ran += 1
                elif lang in ("sh", "console", "bash"):
                    check_static(rel, commands(lines, first), targets)
    finally:
        shutil.rmtree(top, ignore_errors=True)
    print(f"docs: {ran} runnable blocks, {len(failures)} failures")
    return 1 if failures or ran == 0 else 0


sys.exit(main())
