#!/usr/bin/env bash
# Update a Backstep station to the code in this checkout, beside the running version, with a
# way back. Every install and update is a new release: its own venv under
# /opt/backstep/releases/<id>/; /opt/backstep/venv (what the units and `backstep` run) is a
# symlink to the one in use (see systemd/release.sh).
#
#   cd backstep && git pull && sudo systemd/update.sh    update to this checkout
#   sudo systemd/update.sh --rollback                     back to the version before this one
#   systemd/update.sh --list                              the releases kept, and their state
#   systemd/update.sh --dry-run                           print every action, change nothing
#   sudo systemd/update.sh --restore-db FILE              put a database copy back
#
# An update: (1) builds a new release with the tested versions (requirements/runtime.lock);
# (2) checks it while the kiosk still runs: `backstep --version`, `config check` on the
# station's config, the pose model loaded and verified by the new version, offline, and
# adds the release's apt packages; (3) stops every Backstep service (kiosk and dashboard),
# copies the station database (SQLite online backup, into <data dir>/backups/) and runs the
# new version's `backstep doctor`; (4) switches the symlink, installs the release's units
# and `backstep` wrapper, starts the services and waits until the kiosk proves the model
# loaded, a camera frame (or, on a station that had no camera, the camera-lost screen) and
# a pose result. If (3) or (4) fails, the old version is switched back, with the database
# it can read.
# A release that failed is marked so in --list and never offered by --rollback. The three
# newest working releases are kept, and any release a process still runs from.
set -euo pipefail

ME=update.sh
PREFIX=/opt/backstep
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
DRY_RUN=0
ACTION=update
SYSTEMD=1 # --prefix DIR (a scratch install): no service, no service user, no apt
PYTHON=python3
CONFIG_FILE=${BACKSTEP_INSTALL_CONFIG:-}
RESTORE_FILE=""
# shellcheck source=systemd/release.sh
. "$SCRIPT_DIR/release.sh"

usage() {
    print_header "${BASH_SOURCE[0]}"
    cat <<'EOF2'

Options:
  --rollback       switch back to the newest working release older than the one in use
  --list           list the releases kept, which is in use, and which failed
  --restore-db F   stop the services, put the database copy F back (the current file is
                   kept aside) and start them again (`backstep doctor` names the copy)
  --dry-run        print each action instead of doing it (no root needed)
  --source DIR     the Backstep checkout to install (default: this script's checkout)
  --config FILE    the station config to check the new version against (default
                   /etc/backstep/backstep.toml; with --prefix and no such file, the
                   checkout's config/backstep.toml)
  --prefix DIR     install under DIR instead of /opt/backstep, without touching the service,
                   the service user or apt (a scratch install, for trying an update)
  --python EXE     the Python that creates the venv (default: python3)
  -h, --help       this text

Environment: BACKSTEP_INSTALL_CONFIG=FILE is the same as --config FILE.
EOF2
}

while (($#)); do
    case $1 in
    --dry-run) DRY_RUN=1 ;;
    --rollback) ACTION=rollback ;;
    --list) ACTION=list ;;
    --restore-db)
        ACTION=restore-db
        RESTORE_FILE=${2:?--restore-db needs a file}
        shift
        ;;
    --source)
        SOURCE_DIR=$(cd "${2:?--source needs a directory}" && pwd)
        shift
        ;;
    --config)
        CONFIG_FILE=${2:?--config needs a file}
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

if [[ -z $CONFIG_FILE ]]; then
    CONFIG_FILE=/etc/backstep/backstep.toml
    if ((!SYSTEMD)) && [[ ! -e $CONFIG_FILE ]]; then
        CONFIG_FILE=$SOURCE_DIR/config/backstep.toml
        log "scratch prefix: checking against $CONFIG_FILE (no /etc/backstep/backstep.toml)"
    fi
fi
release_paths

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

preflight() { # preflight ID: checks that need no hardware, while the kiosk still runs
    local bin=$RELEASES/$1/bin/backstep
    log "checking $1 beside the running kiosk"
    run "$bin" --version || return 1
    as_app_user "$bin" config check "$CONFIG_FILE" || return 1
    # The new mediapipe loads the cached model and finds a person on the demo clip.
    as_app_user "$bin" model fetch --offline || return 1
}

os_codename() {
    # shellcheck source=/dev/null
    [[ -r /etc/os-release ]] && (. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
    return 0
}

update() {
    local id old previous_health since
    ((SYSTEMD)) && check_rpi_archive
    id=$(new_release_id "")
    adopt_legacy_venv
    old=$(release_of "$CURRENT")
    if ! build_release "$id"; then
        mark "$id" "failed: build"
        die "the build of $id failed (see above); nothing changed"
    fi
    mark "$id" checking
    if ! preflight "$id"; then
        mark "$id" "failed: checks"
        die "$id failed its checks (see above); nothing changed"
    fi
    # packages only get added: the running version is not disturbed by the new ones
    install_packages "$(os_codename)"
    previous_health=$(health_before "$id")
    service_all stop
    if [[ -n $old ]] && ! backup_db "$old" "$id"; then
        service_all start
        mark "$id" "failed: database copy"
        die "could not copy the database before the switch; nothing changed"
    fi
    log "doctor of the new version (the services are stopped, so the hardware is free)"
    if ! as_app_user "$RELEASES/$id/bin/backstep" doctor; then
        mark "$id" "failed: doctor"
        log "doctor found a blocking problem: keeping ${old:-the old version}"
        # the doctor's storage check may have migrated the database already
        [[ -n $old ]] && { restore_db_for "$id" "$old" || true; }
        service_all start
        die "update not applied; $RELEASES/$id is kept for inspection (see the table above)"
    fi
    switch_to "$id"
    install_release_files "$id"
    since=$(date +%s)
    # Type=notify: start returns at READY (screens up); the check then waits for the proof.
    if ! service_all start || ! post_switch_check "$id" "$since" "$previous_health"; then
        mark "$id" "failed: did not prove model, camera frame and pose after the switch"
        if [[ -n $old ]]; then
            log "the new version did not prove itself: rolling back to $old"
            go_back "$id" "$old"
        fi
        die "update failed after the switch; rolled back (journalctl -u backstep shows why)"
    fi
    mark "$id" ok
    refresh_previous # --rollback's target, now that $id counts as working
    prune
    log "updated to $id; back with: sudo systemd/update.sh --rollback"
}

rollback() {
    local current target
    current=$(release_of "$CURRENT")
    target=$(rollback_target)
    [[ -n $target ]] || die "no previous version to roll back to (older than ${current:-none}; see --list)"
    log "rolling back from $current to $target"
    go_back "$current" "$target"
    log "rolled back to $target; a second --rollback goes further back, never forward"
}

restore_db() {
    local current db
    current=$(release_of "$CURRENT")
    [[ -n $current ]] || die "no release in use under $PREFIX"
    [[ -f $RESTORE_FILE || $DRY_RUN == 1 ]] || die "no such file: $RESTORE_FILE"
    db=$(database_of "$current")
    service_all stop
    dbswitch "$current" restore "$RESTORE_FILE" "$db"
    service_all start
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
    restore-db) restore_db ;;
    esac
}

main
