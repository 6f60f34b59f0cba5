#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian/Ubuntu machine: system packages, .venv, the project.
# Fast when already done: each step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential pkg-config python3-venv python3-dev
  libcairo2-dev libpango1.0-dev ffmpeg fonts-dejavu-core
  fonts-urw-base35  # Nimbus Sans, the theme font: it carries Greek (η, θ, ∇)
  texlive-latex-base texlive-latex-extra texlive-fonts-recommended dvisvgm
  espeak-ng  # optional: gdx render --voice
)
EXTRAS="${BOOTSTRAP_EXTRAS:-}"   # e.g. "test"

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  log="$(mktemp)"
  if ! { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
         $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
       </dev/null >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "bootstrap: apt-get failed (full log: $log)" >&2
    exit 1
  fi
  rm -f "$log"
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv"
  "$PYTHON" -m venv .venv
fi

# Reinstall only when pyproject.toml (or the extras asked for) changed since the last install.
hash="$(sha256sum pyproject.toml | cut -c1-16)"
stamp=".venv/.installed-$hash-${EXTRAS:-none}"
if [ ! -e "$stamp" ] && ! { [ -z "$EXTRAS" ] && ls .venv/.installed-"$hash"-* >/dev/null 2>&1; }; then
  echo "bootstrap: installing the project into .venv"
  spec="."
  [ -z "$EXTRAS" ] || spec=".[$EXTRAS]"
  log="$(mktemp)"
  if ! .venv/bin/python -m pip install --disable-pip-version-check -e "$spec" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "bootstrap: pip install failed (full log: $log)" >&2
    exit 1
  fi
  rm -f "$log"
  find .venv -maxdepth 1 -name ".installed-*" ! -name ".installed-$hash-*" -delete
  touch "$stamp"
fi
