#!/usr/bin/env bash
# The tests drive real TLS peers: the openssl CLI and GnuTLS's gnutls-cli
# (Debian packages openssl and gnutls-bin). Install whichever is missing.
set -euo pipefail
missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v gnutls-cli >/dev/null 2>&1 || missing+=(gnutls-bin)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing test tools: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || {
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}
