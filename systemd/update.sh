#!/usr/bin/env bash
# Update a Backstep station to the code in this checkout, beside the running version, with a
# way back. Each version is its own venv under /opt/backstep/releases/; /opt/backstep/venv
# (what the unit and `backstep` run) is a symlink to the one in use.
#
#   cd backstep && git pull && sudo systemd/update.sh    update to this checkout
#   sudo systemd/update.sh --rollback                     back to the previous version
#   systemd/update.sh --list                              the versions kept, and which is in use
#   systemd/update.sh --dry-run                           print every action, change nothing
#
# An update: (1) builds a new venv with the tested versions (requirements/runtime.lock);
# (2) checks it while the kiosk still runs: `backstep --version`, `config check` on the
# station's config, and the pose model loaded and verified by the new version, offline;
# (3) stops the kiosk and runs the new version's `backstep doctor` (camera, GPIO, display
# are free now); (4) switches the symlink and starts the kiosk, which reports READY only once
# the camera and model are up. If (3) or (4) fails, the old version is switched back and
# started again. The three newest versions are kept; `--rollback` swaps back at any time.
set -euo pipefail

APP_USER=backstep
PREFIX=/opt/backstep
CACHE_DIR=/var/cache/backstep
STATE_DIR=/var/lib/backstep
CONFIG_FILE=${BACKSTEP_INSTALL_CONFIG:-/etc/backstep/backstep.toml}
UNIT_NAME=backstep.service
KEEP=3

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
DRY_RUN=0
ACTION=update
SYSTEMD=1 # --prefix DIR (a scratch install): no service, no service user
PYTHON=python3

usage() {
    sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF2'

Options:
  --rollback     switch back to the previous version and restart
  --list         list the installed versions
  --dry-run      print each action instead of doing it (no root needed)
  --source DIR   the Backstep checkout to install (default: this script's checkout)
  --prefix DIR   install under DIR instead of /opt/backstep, without touching the service
                 or the service user (a scratch install, for trying an update)
  --python EXE   the Python that creates the venv (default: python3)
  -h, --help     this text
EOF2
}

while (($#)); do
    case $1 in
    --dry-run) DRY_RUN=1 ;;
    --rollback) ACTION=rollback ;;
    --list) ACTION=list ;;
    --source)
        SOURCE_DIR=$(cd "${2:?--source needs a directory}" && pwd)
        shift
        ;;
    --prefix)
        PREFIX=${2:?--prefix needs a directory}
        SYSTEMD=0
        shift
        ;;
    --python)
        PYTHON=${2:?--python needs an executable}
        shift
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        echo "update.sh: unknown option: $1 (see --help)" >&2
        exit 2
        ;;
    esac
    shift
done

RELEASES=$PREFIX/releases
CURRENT=$PREFIX/venv      # symlink -> releases/<id>: what the unit runs
PREVIOUS=$PREFIX/previous # symlink -> releases/<id>: where --rollback goes

log() { printf '==> %s\n' "$*"; }
die() {
    printf 'update.sh: %s\n' "$*" >&2
    exit 1
}
run() {
    if ((DRY_RUN)); then
        printf '+'
        printf ' %q' "$@"
        printf '\n'
    else
        "$@"
    fi
}

# As the service user with the service's paths (a scratch install runs as the caller).
as_app_user() {
    if ((SYSTEMD)); then
        run runuser -u "$APP_USER" -- env "HOME=$STATE_DIR" "BACKSTEP_CACHE_DIR=$CACHE_DIR" \
            "STATE_DIRECTORY=$STATE_DIR" "BACKSTEP_CONFIG=$CONFIG_FILE" "$@"
    else
        run env "BACKSTEP_CONFIG=$CONFIG_FILE" "$@"
    fi
}

service() { # service start|stop|restart
    if ((SYSTEMD)); then
        run systemctl "$1" "$UNIT_NAME"
    else
        log "scratch prefix: would systemctl $1 $UNIT_NAME"
    fi
}

# Point LINK at TARGET atomically (a new symlink renamed over the old one).
point() {
    local link=$1 target=$2
    run ln -sfn "$target" "$link.new"
    run mv -Tf "$link.new" "$link"
}

release_of() { # the release a symlink points at, or nothing
    [[ -L $1 ]] && basename "$(readlink "$1")"
    return 0
}

list_releases() {
    local current previous id mark
    current=$(release_of "$CURRENT")
    previous=$(release_of "$PREVIOUS")
    [[ -d $RELEASES ]] || die "no releases under $RELEASES (install with systemd/install.sh)"
    for id in $(find "$RELEASES" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort); do
        mark=""
        [[ $id == "$current" ]] && mark=" (in use)"
        [[ $id == "$previous" ]] && mark=" (previous: --rollback)"
        printf '%s%s\n' "$id" "$mark"
    done
}

# An install from before releases existed: its venv directory becomes the first release.
adopt_legacy_venv() {
    if [[ -d $CURRENT && ! -L $CURRENT ]]; then
        log "moving the existing venv into $RELEASES/legacy (kept for --rollback)"
        run mkdir -p "$RELEASES"
        # Its scripts name /opt/backstep/venv/bin/python, which the link below keeps valid
        # whenever legacy is the version in use (the only time they run).
        run mv "$CURRENT" "$RELEASES/legacy"
        point "$CURRENT" "releases/legacy"
    fi
}

build_release() { # build_release ID: a new venv with this checkout and the locked versions
    local dir=$RELEASES/$1
    log "building $dir from $SOURCE_DIR"
    run mkdir -p "$RELEASES"
    run "$PYTHON" -m venv --system-site-packages "$dir"
    run "$dir/bin/pip" install --quiet --disable-pip-version-check \
        -c "$SOURCE_DIR/requirements/runtime.lock" "$SOURCE_DIR"
}

preflight() { # preflight ID: checks that need no hardware, while the kiosk still runs
    local bin=$RELEASES/$1/bin/backstep
    log "checking $1 beside the running kiosk"
    run "$bin" --version
    as_app_user "$bin" config check "$CONFIG_FILE"
    # The new mediapipe loads the cached model and finds a person on the demo clip.
    as_app_user "$bin" model fetch --offline
}

switch_to() { # switch_to ID: make ID current, remember the old one as previous
    local old
    old=$(release_of "$CURRENT")
    if [[ -n $old && $old != "$1" ]]; then
        point "$PREVIOUS" "releases/$old"
    fi
    point "$CURRENT" "releases/$1"
    log "now in use: $1${old:+ (previous: $old)}"
}

prune() { # keep the newest $KEEP releases, plus whatever current and previous point at
    local current previous id
    current=$(release_of "$CURRENT")
    previous=$(release_of "$PREVIOUS")
    # Release ids start with a UTC timestamp, so a name sort is an age sort.
    for id in $(find "$RELEASES" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -r |
        tail -n +$((KEEP + 1))); do
        [[ $id == "$current" || $id == "$previous" ]] && continue
        log "removing old release $id"
        run rm -rf "${RELEASES:?}/$id"
    done
}

update() {
    local version id old
    version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$SOURCE_DIR/pyproject.toml" | head -n 1)
    [[ -n $version ]] || die "$SOURCE_DIR is not a Backstep checkout (no version in pyproject.toml)"
    id="$(date -u +%Y%m%dT%H%M%SZ)-$version"
    if git -C "$SOURCE_DIR" rev-parse --short HEAD >/dev/null 2>&1; then
        id="$id-$(git -C "$SOURCE_DIR" rev-parse --short HEAD)"
    fi
    adopt_legacy_venv
    old=$(release_of "$CURRENT")
    build_release "$id"
    preflight "$id"
    service stop
    log "doctor of the new version (the kiosk is stopped, so the hardware is free)"
    if ! as_app_user "$RELEASES/$id/bin/backstep" doctor; then
        log "doctor found a blocking problem: keeping ${old:-the old version}"
        service start
        die "update not applied; $RELEASES/$id is kept for inspection (see the table above)"
    fi
    switch_to "$id"
    # Type=notify: start returns once the kiosk says READY (camera and model up), or fails.
    if ! service start; then
        if [[ -n $old ]]; then
            log "the new version did not start: rolling back to $old"
            switch_to "$old"
            service start
        fi
        die "update failed to start; rolled back (journalctl -u backstep shows why)"
    fi
    prune
    log "updated to $id; back with: sudo systemd/update.sh --rollback"
}

rollback() {
    local previous
    previous=$(release_of "$PREVIOUS")
    [[ -n $previous && -d $RELEASES/$previous ]] || die "no previous version to roll back to"
    switch_to "$previous"
    service restart
    log "rolled back to $previous"
}

main() {
    if ((SYSTEMD)) && ((!DRY_RUN)) && [[ $ACTION != list ]] && ((EUID != 0)); then
        die "run as root (sudo $0), or try --dry-run"
    fi
    ((DRY_RUN)) && log "dry run: nothing is changed"
    case $ACTION in
    update) update ;;
    rollback) rollback ;;
    list) list_releases ;;
    esac
}

main
