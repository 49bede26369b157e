#!/usr/bin/env bash
# Runs before `npm test` (the `pretest` script): the system packages the test suite uses that npm
# cannot install. Browser tests drive Debian's Chromium through playwright-core (browser downloads
# do not work here); the JWT key tests make keys with ssh-keygen, exactly as the operator docs say.
# Installs what is missing when it can (root with apt-get), else says what to install.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test prerequisites: installing ${missing[*]} from Debian's packages (once; takes a minute)…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "test prerequisites: installed ${missing[*]}."
else
  echo "test prerequisites: missing ${missing[*]}. Install them, e.g.: sudo apt-get install -y ${missing[*]}" >&2
  echo "(the tests that need them fail with the same advice)" >&2
fi
