#!/usr/bin/env bash
# Checks that need a second full build or network installs, kept out of .ci/run (issue 17):
#   1. `cargo install --locked --path .` into a temporary root, and the installed binary run
#      in an empty directory (init, check, explain): nothing from the source tree is needed;
#   2. `cargo package --locked` with its verifying build;
#   3. the pre-commit hook, with the real `pre-commit` (PyPI) `try-repo` on a throwaway
#      repository holding a model: passes on a ready model, fails on a broken one;
#   4. the Markdown report of the internal-vendor and ams examples rendered with a GitHub-
#      flavoured renderer (cmark-gfm, Debian) and screenshotted in headless Chromium
#      (Debian's chromium) into $OUT/*.png for a reviewer to look at.
# Usage: scripts/slow-checks.sh [STEP...]   (steps: install package precommit screenshot;
# default all). $OUT (default /tmp/runready-slow) keeps what each step wrote.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-/tmp/runready-slow}"
mkdir -p "$out"
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(install package precommit screenshot)
at=2026-11-23T10:00:00Z

install() {
  rm -rf "$out/root" "$out/empty" && mkdir -p "$out/empty"
  # The workspace's target directory is reused: what is checked is the installed binary.
  cargo install --locked --path "$repo" --root "$out/root" --target-dir "$repo/target"
  cp "$out/root/bin/runready" "$out/empty/"
  (cd "$out/empty" && HOME="$out/empty" ./runready init model && ./runready check model --at "$at" && ./runready explain COV-001 >/dev/null)
  echo "install: ok ($(du -h "$out/root/bin/runready" | cut -f1) binary, ran init, check and explain in an empty directory)"
}

package() {
  (cd "$repo" && cargo package --locked --allow-dirty --target-dir "$out/package-target")
  echo "package: ok ($(cd "$repo" && cargo package --list --locked --allow-dirty | wc -l) files)"
}

precommit() {
  python3 -m pip install --quiet --disable-pip-version-check 'pre-commit>=3,<5'
  local r="$out/hook-repo"
  rm -rf "$r" && mkdir -p "$r" && cd "$r"
  git init -q && git config user.email ci@example.com && git config user.name ci
  "$repo/target/debug/runready" init support >/dev/null 2>&1 || cargo run -q --manifest-path "$repo/Cargo.toml" -- init support
  git add -A && git commit -qm model
  # try-repo builds the hook from the checkout (pre-commit's `rust` language).
  pre-commit try-repo "$repo" runready-check --all-files --verbose 2>&1 | tail -5 || { echo "precommit: the ready model failed"; return 1; }
  printf 'services:\n  - { id: orphan, tier: missing }\n' > support/broken.yaml
  git add -A
  if pre-commit try-repo "$repo" runready-check --all-files >/dev/null 2>&1; then
    echo "precommit: a broken model passed"; return 1
  fi
  cd "$repo"
  echo "precommit: ok (passes a ready model, fails a broken one)"
}

screenshot() {
  command -v cmark-gfm >/dev/null || apt-get install -y -qq cmark-gfm >/dev/null
  command -v chromium >/dev/null || apt-get install -y -qq chromium >/dev/null
  # The verdict and the services table use emoji, as GitHub shows them.
  fc-list | grep -qi "color emoji" || apt-get install -y -qq fonts-noto-color-emoji >/dev/null
  local bin="$repo/target/debug/runready"
  [ -x "$bin" ] || (cd "$repo" && cargo build -q)
  for example in internal-vendor ams; do
    (cd "$repo" && "$bin" check "examples/$example" --at "$at" -q --markdown "$out/$example.md" >/dev/null || true)
    {
      echo '<!doctype html><meta charset="utf-8"><style>body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1012px;margin:24px auto;font-size:14px;line-height:1.5;color:#1f2328}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d1d9e0;padding:4px 10px}pre{background:#f6f8fa;padding:12px;border-radius:6px;overflow:auto;font-size:12px;line-height:1.3}code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}</style>'
      cmark-gfm --unsafe -e table -e strikethrough -e autolink -e tagfilter "$out/$example.md"
    } > "$out/$example.html"
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,4000 --screenshot="$out/$example.png" "file://$out/$example.html" >/dev/null 2>&1
    echo "screenshot: $out/$example.png ($(wc -c < "$out/$example.md") bytes of Markdown)"
  done
}

for s in "${steps[@]}"; do "$s"; done
