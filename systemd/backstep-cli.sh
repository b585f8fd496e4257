#!/bin/sh
# `backstep` for staff on the Pi: the kiosk's commands with the services' settings, so
# `backstep doctor`, `backstep config check`, `backstep members ...` and `backstep trainers
# add` see the same config, data directory and model cache as the running kiosk and the
# dashboard (both units: BACKSTEP_CONFIG=/etc/backstep/backstep.toml, StateDirectory=backstep,
# i.e. STATE_DIRECTORY=/var/lib/backstep). Installed by systemd/install.sh and update.sh as
# /usr/local/bin/backstep. Run as root it switches to the service user, and run by another
# user who cannot write the data directory it asks sudo to, so files it creates (database,
# trainer accounts, model cache) stay the services' own.
export BACKSTEP_CONFIG="${BACKSTEP_CONFIG:-/etc/backstep/backstep.toml}"
export BACKSTEP_CACHE_DIR="${BACKSTEP_CACHE_DIR:-/var/cache/backstep}"
export STATE_DIRECTORY="${STATE_DIRECTORY:-/var/lib/backstep}"
export LG_WD="${LG_WD:-/var/lib/backstep}"
if [ "$(id -u)" = 0 ]; then
    exec runuser -u backstep -- /opt/backstep/venv/bin/backstep "$@"
fi
if [ "$(id -un)" != backstep ] && [ ! -w "$STATE_DIRECTORY" ]; then
    # sudo resets the environment: hand the four settings over explicitly
    exec sudo -u backstep env "BACKSTEP_CONFIG=$BACKSTEP_CONFIG" \
        "BACKSTEP_CACHE_DIR=$BACKSTEP_CACHE_DIR" "STATE_DIRECTORY=$STATE_DIRECTORY" \
        "LG_WD=$LG_WD" /opt/backstep/venv/bin/backstep "$@"
fi
exec /opt/backstep/venv/bin/backstep "$@"
