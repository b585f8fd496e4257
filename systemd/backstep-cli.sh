#!/bin/sh
# `backstep` for staff on the Pi: the kiosk's commands with the service's settings, so
# `backstep doctor`, `backstep config check` and `backstep members ...` see the same config,
# data directory and model cache as the running kiosk. Installed by systemd/install.sh as
# /usr/local/bin/backstep. Run as root, it switches to the service user, so files it creates
# (database, model cache) stay writable for the kiosk.
export BACKSTEP_CONFIG="${BACKSTEP_CONFIG:-/etc/backstep/backstep.toml}"
export BACKSTEP_CACHE_DIR="${BACKSTEP_CACHE_DIR:-/var/cache/backstep}"
export STATE_DIRECTORY="${STATE_DIRECTORY:-/var/lib/backstep}"
export LG_WD="${LG_WD:-/var/lib/backstep}"
if [ "$(id -u)" = 0 ]; then
    exec runuser -u backstep -- /opt/backstep/venv/bin/backstep "$@"
fi
exec /opt/backstep/venv/bin/backstep "$@"
