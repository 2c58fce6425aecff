#!/usr/bin/env bash
# The tests use real binaries from Debian: install what is missing (we may be root), else stop
# with the exact command to run. Never skip tests because something is absent.
set -euo pipefail
missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The package-change tests write a zstd layer.
command -v zstd >/dev/null 2>&1 || missing+=(zstd)
# The rpm tests build packages and an rpmdb.sqlite with rpm's own tools (rpmbuild comes with it).
command -v rpmbuild >/dev/null 2>&1 || missing+=(rpm)
# The console tests drive Debian's chromium through playwright-core (test/web).
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} (apt-get)" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "The tests need: ${missing[*]}. Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
exit 1
