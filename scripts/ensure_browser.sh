#!/bin/sh
# The browser tests (tests/browser) drive Debian's Chromium through its ChromeDriver, with CJK
# fonts so screenshots show Chinese. Installed here when missing (as root, from Debian's
# packages); otherwise this stops `make test` saying what to install: never a silent skip.
set -eu
PACKAGES="chromium chromium-driver fonts-noto-cjk"
missing() {
  for package in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || return 0
  done
  return 1
}
missing || exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "make: installing $PACKAGES for the browser tests"
  apt-get install -y -q --no-install-recommends $PACKAGES >/dev/null \
    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $PACKAGES >/dev/null; }
  exit 0
fi
echo "make: the browser tests need Debian's $PACKAGES; install them as root:" >&2
echo "  apt-get install $PACKAGES" >&2
exit 1
