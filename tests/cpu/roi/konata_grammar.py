"""Checks a file against the Kanata log format 0004 grammar (Konata's
docs/kanata-log-format.md): a header line, then tab-separated commands.

  Kanata <version>          header (first line)
  C= <cycle>                absolute cycle (must precede other commands)
  C <delta>                 advance the cycle, delta > 0
  I <id> <insn id> <thread> introduce an instruction (id unique)
  L <id> <type> <text>      label (type 0, 1 or 2)
  S <id> <lane> <stage>     stage start
  E <id> <lane> <stage>     stage end (the stage must have started)
  R <id> <retire id> <type> retire (0) or flush (1); nothing follows for the id
  W <consumer> <producer> <type>  dependency

Returns the number of retired instructions; raises ValueError with the line
number on the first violation."""
import re
import sys

NUM = r"(0|[1-9][0-9]*)"
RULES = {
    "C=": re.compile(rf"^C=\t{NUM}$"),
    "C": re.compile(rf"^C\t{NUM}$"),
    "I": re.compile(rf"^I\t{NUM}\t{NUM}\t{NUM}$"),
    "L": re.compile(rf"^L\t{NUM}\t[012]\t[^\t\n]*$"),
    "S": re.compile(rf"^S\t{NUM}\t{NUM}\t[^\t\s]+$"),
    "E": re.compile(rf"^E\t{NUM}\t{NUM}\t[^\t\s]+$"),
    "R": re.compile(rf"^R\t{NUM}\t{NUM}\t[01]$"),
    "W": re.compile(rf"^W\t{NUM}\t{NUM}\t{NUM}$"),
}


def check(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or not re.match(r"^Kanata\t0004$", lines[0]):
        raise ValueError(f"{path}:1: expected the header 'Kanata\\t0004'")
    started = False
    live = {}  # id -> set of open stages
    seen = set()
    retired = 0
    last_retire = -1
    for n, line in enumerate(lines[1:], start=2):
        cmd = line.split("\t", 1)[0]
        rule = RULES.get(cmd)
        if not rule or not rule.match(line):
            raise ValueError(f"{path}:{n}: not a valid command: {line!r}")
        f = line.split("\t")
        if cmd == "C=":
            if started:
                raise ValueError(f"{path}:{n}: a second C=")
            started = True
            continue
        if not started:
            raise ValueError(f"{path}:{n}: command before C=")
        if cmd == "C":
            if int(f[1]) == 0:
                raise ValueError(f"{path}:{n}: zero cycle advance")
        elif cmd == "I":
            i = int(f[1])
            if i in seen:
                raise ValueError(f"{path}:{n}: id {i} introduced twice")
            seen.add(i)
            live[i] = set()
        elif cmd in ("L", "S", "E", "R"):
            i = int(f[1])
            if i not in live:
                raise ValueError(f"{path}:{n}: id {i} is not live (never introduced or already retired)")
            if cmd == "S":
                live[i].add(f[3])
            elif cmd == "E":
                if f[3] not in live[i]:
                    raise ValueError(f"{path}:{n}: stage {f[3]} of id {i} ends without a start")
                live[i].discard(f[3])
            elif cmd == "R":
                if live[i]:
                    raise ValueError(f"{path}:{n}: id {i} retires with open stages {sorted(live[i])}")
                rid = int(f[2])
                if rid != last_retire + 1:
                    raise ValueError(f"{path}:{n}: retire id {rid} out of sequence")
                last_retire = rid
                retired += 1
                del live[i]
    if live:
        raise ValueError(f"{path}: {len(live)} instructions never retire")
    return retired


if __name__ == "__main__":
    print(check(sys.argv[1]))
