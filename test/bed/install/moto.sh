#!/usr/bin/env bash
# moto server (all services) in a Python venv in the cache, plus what the bed's extension in
# test/bed/moto/ imports. Pinned, so every machine runs the same AWS behaviour.
source "$(dirname "$0")/lib.sh"
VENV="$CACHE/moto-venv"
# Bump the stamp's contents when a pin changes: that is what makes a second run a no-op.
PINS=("moto[server]==5.2.1" "PyJWT==2.10.1" "PyYAML==6.0.2")
STAMP="$VENV/.expeditor-pins"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "${PINS[*]}" ] && "$VENV/bin/python" -c 'import moto, jwt, yaml' 2>/dev/null; then
  exit 0
fi
command -v python3 >/dev/null || apt_install moto python3
python3 -c 'import ensurepip' 2>/dev/null || apt_install moto python3-venv
say "moto: creating $VENV with ${PINS[*]}"
run moto python3 -m venv "$VENV"
run moto "$VENV/bin/pip" install --disable-pip-version-check --no-input "${PINS[@]}"
run moto "$VENV/bin/python" -c 'import moto, jwt, yaml, cryptography'
echo "${PINS[*]}" > "$STAMP"
