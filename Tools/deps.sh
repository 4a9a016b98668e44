#!/usr/bin/env bash
# Installs the Debian packages the project builds against, when any is missing.
# Sourced by Tools/test and Tools/quickstart; needs root (or sudo) only when installing.
set -euo pipefail
unet_packages=(libdnnl-dev libpng-dev libjpeg-dev libtiff-dev libopenmpi-dev openmpi-bin pkg-config)
unet_missing=()
for p in "${unet_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || unet_missing+=("$p")
done
if [ ${#unet_missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${unet_missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${unet_missing[@]}" >&2
fi
