# Shared by the shell tests: `check NAME COMMAND...` prints ok/FAIL and counts
# failures; `contains FILE REGEX` shows the file when the pattern is missing,
# `lacks FILE REGEX` when it is there.
failures=0
check() {
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}
contains() { grep -qE -- "$2" "$1" || { echo "  '$2' not found in:"; sed 's/^/    /' "$1"; return 1; }; }
lacks() { ! grep -qE -- "$2" "$1" || { echo "  '$2' found in:"; sed 's/^/    /' "$1"; return 1; }; }
