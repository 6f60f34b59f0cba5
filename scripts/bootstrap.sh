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
  flite espeak-ng  # fallback voices for --voice (the natural one is the "voice" extra)
)
EXTRAS="${BOOTSTRAP_EXTRAS:-}"   # e.g. "test,voice"
case ",$EXTRAS," in
  *,test,*)  # the offline-deck test drives a headless browser: Debian's chromium (Ubuntu ships it
             # only as a snap; there the test says it has no browser and skips)
    if [ "$(. /etc/os-release 2>/dev/null; echo "${ID:-}")" != ubuntu ] || command -v chromium >/dev/null; then
      APT_PACKAGES+=(chromium)
    else
      echo "bootstrap: Ubuntu has no chromium .deb; the offline-deck browser test will skip" >&2
    fi ;;
esac

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

# Reinstall only when pyproject.toml changed since the last install, or an extra asked for is not
# in yet: one stamp file per extra installed (.venv/.installed-<hash>/<extra>), so any order or
# subset of extras already installed is recognised.
hash="$(sha256sum pyproject.toml | cut -c1-16)"
stamps=".venv/.installed-$hash"
needed=()
[ -e "$stamps/base" ] || needed+=(base)
IFS=',' read -r -a wanted <<<"$EXTRAS"
for extra in "${wanted[@]}"; do
  [ -z "$extra" ] || [ -e "$stamps/$extra" ] || needed+=("$extra")
done
if ((${#needed[@]})); then
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
  find .venv -maxdepth 1 -name ".installed-*" ! -name ".installed-$hash" -exec rm -rf {} +
  mkdir -p "$stamps"
  touch "$stamps/base"
  for extra in "${wanted[@]}"; do [ -z "$extra" ] || touch "$stamps/$extra"; done
fi

# reveal.js for offline slide decks (gdx slides): the npm package, checked against the registry's
# sha512, unpacked into the venv. gdx.slides.REVEAL_VERSION must match manim-slides' template.
REVEAL_VERSION="$(sed -n 's/^REVEAL_VERSION = "\(.*\)"/\1/p' gdx/slides.py)"
REVEAL_DIR=".venv/share/reveal.js/$REVEAL_VERSION"
if [ -n "$REVEAL_VERSION" ] && [ ! -e "$REVEAL_DIR/.complete" ]; then
  echo "bootstrap: fetching reveal.js $REVEAL_VERSION from the npm registry"
  if ! .venv/bin/python - "$REVEAL_VERSION" "$REVEAL_DIR" <<'PY'
import base64, hashlib, io, json, shutil, sys, tarfile, urllib.request
from pathlib import Path

version, dest = sys.argv[1], Path(sys.argv[2])
meta = json.load(urllib.request.urlopen(f"https://registry.npmjs.org/reveal.js/{version}", timeout=60))
data = urllib.request.urlopen(meta["dist"]["tarball"], timeout=120).read()
algo, _, digest = meta["dist"]["integrity"].partition("-")
if base64.b64encode(hashlib.new(algo, data).digest()).decode() != digest:
    sys.exit("reveal.js tarball does not match the registry's integrity hash")
tmp = dest.with_name(dest.name + ".part")
shutil.rmtree(tmp, ignore_errors=True)
with tarfile.open(fileobj=io.BytesIO(data)) as tar:
    if hasattr(tarfile, "data_filter"):
        tar.extractall(tmp, filter="data")
    else:  # Debian 12's Python 3.11.2 predates tarfile's filters: only plain files inside the folder
        for member in tar.getmembers():
            if not (member.isfile() or member.isdir()) or not (tmp / member.name).resolve().is_relative_to(tmp.resolve()):
                sys.exit(f"refused {member.name!r} in the reveal.js tarball")
        tar.extractall(tmp)
shutil.rmtree(dest, ignore_errors=True)
(tmp / "package").rename(dest)
tmp.rmdir()
(dest / ".complete").touch()
PY
  then
    # Only HTML decks need it (gdx slides and gdx doctor say so, with this fix): fatal for the
    # test set-up, whose browser test uses it; a warning for a render.
    echo "bootstrap: could not fetch reveal.js $REVEAL_VERSION from the npm registry; gdx slides --to html needs it (rerun ./scripts/bootstrap.sh when online)" >&2
    case ",$EXTRAS," in *,test,*) exit 1 ;; esac
  fi
fi

