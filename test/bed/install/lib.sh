# Shared by the bed's install scripts. Each part installs into $CACHE (outside the repo) and
# is idempotent: a second run finds what is there and installs nothing.
set -euo pipefail
CACHE="${EXPEDITOR_CACHE:-$HOME/.cache/expeditor}"
BIN="$CACHE/bin"
mkdir -p "$BIN" "$CACHE/logs"

# run PART COMMAND... : runs a command, and on failure exits naming the part, the command and
# the tail of its output, so a missing part never passes silently.
run() {
  local part="$1"; shift
  local log="$CACHE/logs/install-$part.log"
  if ! "$@" >>"$log" 2>&1; then
    echo "bed part '$part' failed to install: $*" >&2
    echo "--- last lines of $log ---" >&2
    tail -n 25 "$log" >&2
    exit 1
  fi
}

say() { echo "[bed install] $*" >&2; }

APT_UPDATED="$CACHE/.apt-updated"
# apt_install PART PKG... : installs Debian packages that are not yet installed.
apt_install() {
  local part="$1"; shift
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "$part: apt-get install ${missing[*]}"
  if [ ! -f "$APT_UPDATED" ] || [ -n "$(find "$APT_UPDATED" -mmin +720)" ]; then
    run "$part" apt-get update && touch "$APT_UPDATED"
  fi
  run "$part" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# heavy PART COMMAND... : like run, but one at a time across all install scripts (two cores:
# never two heavy builds at once).
heavy() {
  local part="$1"; shift
  exec 9>"$CACHE/.heavy-build.lock"
  flock 9
  run "$part" "$@"
  flock -u 9
}
