# shellcheck shell=bash
# The release model shared by systemd/install.sh and systemd/update.sh (sourced, not run).
#
# Every install and every update is a new release: its own venv under $PREFIX/releases/<id>/
# with a copy of this checkout's systemd/ files in <id>/backstep-release/. $PREFIX/venv (what
# the units and the `backstep` wrapper run) is a symlink to the release in use. A switch
# stops every Backstep service, copies the station database (SQLite online backup), points
# the link, installs that release's units and wrapper and starts the services again; after
# an install or update it waits until the kiosk proves model, camera frame and pose. A failed
# release is marked so (never a version to use); a release a process runs from is never
# pruned. apt packages are only added (the old release's were installed in its time).
# The caller sets: PREFIX SYSTEMD(1 = the real service; 0 = scratch prefix) DRY_RUN PYTHON
# SOURCE_DIR CONFIG_FILE, and ME (its name, for messages); then calls release_paths.

APP_USER=backstep
STATE_DIR=/var/lib/backstep
CACHE_DIR=/var/cache/backstep
UNIT_DIR=/etc/systemd/system
CLI_WRAPPER=/usr/local/bin/backstep
KIOSK_UNIT=backstep.service
DASHBOARD_UNIT=backstep-dashboard.service
KEEP=3
DASHBOARD=0 # 1: install (or keep) the dashboard unit

release_paths() {
    RELEASES=$PREFIX/releases
    CURRENT=$PREFIX/venv      # symlink -> releases/<id>: what the units run
    PREVIOUS=$PREFIX/previous # symlink -> releases/<id>: where --rollback goes
}

log() { printf '==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
    printf '%s: %s\n' "$ME" "$*" >&2
    exit 1
}

# Every change goes through `run`: in --dry-run it prints the command, quoted, instead.
run() {
    if ((DRY_RUN)); then
        printf '+'
        printf ' %q' "$@"
        printf '\n'
    else
        "$@"
    fi
}

# Print a script's header comment (line 2 up to the first line that is not a comment).
print_header() {
    awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$1"
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

# ------------------------------------------------------------------ the Raspberry Pi archive

# python3-lgpio (GPIO on a Pi 5) and rpicam-apps-lite (the CSI camera) are only in the
# Raspberry Pi archive (archive.raspberrypi.com), not in Debian's: say so before apt fails.
RPI_ONLY_PACKAGES=(python3-lgpio rpicam-apps-lite)
RPI_ARCHIVE_SENTENCE="python3-lgpio and rpicam-apps-lite exist only in the Raspberry Pi \
archive (archive.raspberrypi.com), which this system does not use: install Raspberry Pi OS \
(Bookworm or Trixie, 64-bit), or add that archive to apt's sources, then run this again."

rpi_archive_present() {
    case ${BACKSTEP_INSTALL_RPI_ARCHIVE:-} in
    yes) return 0 ;;
    no) return 1 ;;
    esac
    local package
    for package in "${RPI_ONLY_PACKAGES[@]}"; do
        apt-cache policy "$package" 2>/dev/null | grep -q 'Candidate: [^(]' || return 1
    done
}

check_rpi_archive() { rpi_archive_present || die "$RPI_ARCHIVE_SENTENCE"; }

# The apt packages a release needs (the same list for install and update).
apt_packages() {
    local codename=$1 glib=libglib2.0-0
    [[ $codename == trixie ]] && glib=libglib2.0-0t64 # Trixie's 64-bit time_t rename
    # libgl1/glib: OpenCV (a mediapipe dependency) loads them; DejaVu: the kiosk's font;
    # libgbm/libdrm/EGL/GLES: SDL's kmsdrm video driver on a console-only Pi;
    # rpicam-apps-lite: rpicam-vid, which the kiosk reads the CSI camera module from;
    # espeak-ng: the spoken cues (run as a separate program; without it, tones only).
    printf '%s\n' python3-venv python3-pip python3-lgpio rpicam-apps-lite fonts-dejavu-core \
        libgl1 "$glib" libgbm1 libdrm2 libegl1 libgles2 espeak-ng
}

install_packages() { # install_packages CODENAME
    local packages
    mapfile -t packages < <(apt_packages "$1")
    if ((!SYSTEMD)); then
        log "scratch prefix: would apt-get install ${packages[*]}"
        return 0
    fi
    log "apt packages: ${packages[*]}"
    run apt-get update
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        "${packages[@]}"
}

# ------------------------------------------------------------------ releases

point() { # point LINK TARGET: atomically (a new symlink renamed over the old one)
    run ln -sfn "$2" "$1.new"
    run mv -Tf "$1.new" "$1"
}

release_of() { # the release a symlink points at, or nothing
    [[ -L $1 ]] && basename "$(readlink "$1")"
    return 0
}

new_release_id() { # new_release_id [SUFFIX]: <UTC time>-<version>[-<git>][-SUFFIX]
    local version id
    version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$SOURCE_DIR/pyproject.toml" | head -n 1)
    [[ -n $version ]] || die "$SOURCE_DIR is not a Backstep checkout (no version in pyproject.toml)"
    id="$(date -u +%Y%m%dT%H%M%SZ)-$version"
    if git -C "$SOURCE_DIR" rev-parse --short HEAD >/dev/null 2>&1; then
        id="$id-$(git -C "$SOURCE_DIR" rev-parse --short HEAD)"
    fi
    printf '%s%s' "$id" "${1:+-$1}"
}

meta() { printf '%s/%s/backstep-release' "$RELEASES" "$1"; }

mark() { # mark ID STATE: building | checking | ok | failed: <why>
    if ((DRY_RUN)); then
        printf '+ mark %s %q\n' "$1" "$2"
    else
        mkdir -p "$(meta "$1")" && printf '%s\n' "$2" >"$(meta "$1")/state"
    fi
}

release_state() { # a release without a state file is an install from before states: ok
    local file
    file="$(meta "$1")/state"
    if [[ -f $file ]]; then head -n 1 "$file"; else printf 'ok'; fi
}

# All release ids, oldest first ("legacy", the venv from before releases, is the oldest).
all_releases() {
    [[ -d $RELEASES ]] || return 0
    find "$RELEASES" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' |
        awk '{ print ($0 == "legacy" ? "0" : $0) "\t" $0 }' | sort | cut -f 2
}

ok_releases() {
    local id
    for id in $(all_releases); do
        [[ $(release_state "$id") == ok ]] && printf '%s\n' "$id"
    done
    return 0
}

# The releases some process runs from now: a venv's scripts name their own python.
running_releases() {
    local pattern=$RELEASES/
    for f in /proc/[0-9]*/cmdline; do
        tr '\0' '\n' <"$f" 2>/dev/null || true
    done | awk -v p="$pattern" 'index($0, p) == 1 {
        rest = substr($0, length(p) + 1); sub(/\/.*/, "", rest); print rest }' | sort -u
}

# Where --rollback goes: the newest working release older than the one in use.
rollback_target() {
    local current id target=""
    current=$(release_of "$CURRENT")
    for id in $(ok_releases); do
        [[ $id == "$current" ]] && break
        target=$id
    done
    printf '%s' "$target"
}

list_releases() {
    local current target running id mark state
    [[ -d $RELEASES ]] || die "no releases under $RELEASES (install with systemd/install.sh)"
    current=$(release_of "$CURRENT")
    target=$(rollback_target)
    running=" $(running_releases | tr '\n' ' ') "
    for id in $(all_releases); do
        mark=""
        state=$(release_state "$id")
        [[ $state != ok ]] && mark=" [$state: not a version to use]"
        [[ $id == "$current" ]] && mark="$mark (in use)"
        [[ $id == "$target" ]] && mark="$mark (previous: --rollback)"
        [[ $running == *" $id "* && $id != "$current" ]] && mark="$mark (still running)"
        printf '%s%s\n' "$id" "$mark"
    done
}

# build_release ID: a new venv with this checkout and the locked versions, plus a copy of
# the systemd files it is to run with. Returns non-zero on any failure (the caller marks it).
build_release() {
    local dir=$RELEASES/$1
    log "building $dir from $SOURCE_DIR"
    run mkdir -p "$RELEASES" || return 1
    mark "$1" building
    run "$PYTHON" -m venv --system-site-packages "$dir" || return 1
    run "$dir/bin/pip" install --quiet --disable-pip-version-check \
        -c "$SOURCE_DIR/requirements/runtime.lock" "$SOURCE_DIR" || return 1
    run mkdir -p "$(meta "$1")/systemd" || return 1
    run cp "$SOURCE_DIR/systemd/$KIOSK_UNIT" "$SOURCE_DIR/systemd/$DASHBOARD_UNIT" \
        "$SOURCE_DIR/systemd/backstep-cli.sh" "$(meta "$1")/systemd/" || return 1
    # readable by the service user (a checkout in a 0700 home directory is not)
    run cp "$SOURCE_DIR/kiosk/deploy/dbswitch.py" "$(meta "$1")/" || return 1
}

# The dashboard is run when --dashboard asks, or its unit is installed and enabled.
dashboard_wanted() {
    ((DASHBOARD)) && return 0
    [[ -e $UNIT_DIR/$DASHBOARD_UNIT ]] && systemctl is-enabled --quiet "$DASHBOARD_UNIT" 2>/dev/null
}

# The services to stop, start and restart together, in start order.
services() {
    printf '%s\n' "$KIOSK_UNIT"
    if dashboard_wanted; then
        printf '%s\n' "$DASHBOARD_UNIT"
    fi
}

service_all() { # service_all stop|start|restart: every Backstep service
    local unit
    if ((!SYSTEMD)); then
        log "scratch prefix: would systemctl $1 $(services | tr '\n' ' ')"
        return 0
    fi
    for unit in $(services); do
        run systemctl "$1" "$unit" || return 1
    done
}

# The units and the staff wrapper of release ID (a rollback brings the old ones back).
install_release_files() {
    local files unit
    files="$(meta "$1")/systemd"
    if ((!SYSTEMD)); then
        log "scratch prefix: would install $files/{$KIOSK_UNIT,backstep-cli.sh} as the units and $CLI_WRAPPER"
        return 0
    fi
    [[ -d $files || $DRY_RUN == 1 ]] || files=$SOURCE_DIR/systemd # a release from before copies
    log "units and $CLI_WRAPPER of $1"
    run install -o root -g root -m 0755 "$files/backstep-cli.sh" "$CLI_WRAPPER"
    run install -o root -g root -m 0644 "$files/$KIOSK_UNIT" "$UNIT_DIR/$KIOSK_UNIT"
    # an installed dashboard unit follows the release too, even while disabled
    if ((DASHBOARD)) || [[ -e $UNIT_DIR/$DASHBOARD_UNIT ]]; then
        run install -o root -g root -m 0644 "$files/$DASHBOARD_UNIT" "$UNIT_DIR/$DASHBOARD_UNIT"
    fi
    run systemctl daemon-reload
    for unit in $(services); do
        run systemctl enable "$unit"
    done
}

# The data directory and database the release would use (as the service would see them).
database_of() { # database_of ID
    if ((DRY_RUN)); then
        printf '%s/backstep.sqlite3' "$STATE_DIR"
        return 0
    fi
    local env=(env "BACKSTEP_CONFIG=$CONFIG_FILE")
    ((SYSTEMD)) && env+=("STATE_DIRECTORY=$STATE_DIR")
    "${env[@]}" "$RELEASES/$1/bin/python" -c '
from kiosk.config.loader import load_config
from kiosk.store.connection import database_path
print(database_path(load_config(None).storage))'
}

dbswitch() { # dbswitch ID ARGS...: release ID's stdlib-only database helper, as the service user
    local helper
    helper="$(meta "$1")/dbswitch.py"
    shift
    [[ -f $helper || $DRY_RUN == 1 ]] || helper=$SOURCE_DIR/kiosk/deploy/dbswitch.py
    as_app_user python3 "$helper" "$@"
}

# backup_db FROM TO: copy the database before the switch FROM -> TO; TO remembers the copy.
backup_db() {
    local db copy
    db=$(database_of "$2") || return 1
    copy="$(dirname "$db")/backups/$1-before-$2.sqlite3"
    log "database copy before the switch: $copy"
    dbswitch "$2" backup "$db" "$copy" || return 1
    if ((DRY_RUN)); then
        printf '+ record %q in %q\n' "$copy" "$(meta "$2")/db-backup"
    else
        printf '%s\n' "$copy" >"$(meta "$2")/db-backup"
    fi
}

# restore_db_for FROM TO: going back from FROM to TO, put back the copy taken before FROM
# only when TO cannot read the database as FROM left it (the newer file is kept aside).
restore_db_for() {
    local copy db version
    copy=$(cat "$(meta "$1")/db-backup" 2>/dev/null || true)
    # the newer release's code finds the path (an old one may predate database_path)
    db=$(database_of "$1" 2>/dev/null || database_of "$2") || return 1
    if ((DRY_RUN)); then
        version=N
    else
        version=$("$RELEASES/$2/bin/python" -c \
            'from kiosk.store.migrations import LATEST_VERSION; print(LATEST_VERSION)') || return 1
    fi
    if [[ -z $copy ]]; then
        log "no database copy was taken before $1: the database is kept as it is"
        return 0
    fi
    dbswitch "$1" restore-if-newer "$copy" "$db" "$version"
}

# health_before ID: keep the old kiosk's health file (did it have camera frames?) in ID's
# metadata, for post_switch_check; prints its path.
health_before() {
    local db copy
    copy="$(meta "$1")/health-before.json"
    db=$(database_of "$1") || db=$STATE_DIR/backstep.sqlite3
    if ((!DRY_RUN)); then
        cp "$(dirname "$db")/kiosk-health.json" "$copy" 2>/dev/null || : >"$copy"
    fi
    printf '%s' "$copy"
}

# post_switch_check ID SINCE PREVIOUS_HEALTH: the kiosk proves model, camera frame, pose.
post_switch_check() {
    local db
    if ((!SYSTEMD)); then
        log "scratch prefix: no service started, so no post-switch check"
        return 0
    fi
    db=$(database_of "$1") || return 1
    log "waiting for the kiosk to prove model, camera frame and pose"
    as_app_user "$RELEASES/$1/bin/python" -m kiosk.deploy.health wait \
        "$(dirname "$db")/kiosk-health.json" --since "$2" --previous "$3" --timeout 150
}

# switch_to ID: point the link at ID (and the one --rollback would go to).
switch_to() {
    local old
    old=$(release_of "$CURRENT")
    point "$CURRENT" "releases/$1"
    log "now in use: $1${old:+ (was: $old)}"
    refresh_previous
}

refresh_previous() { # $PREVIOUS names where --rollback goes (for people reading the prefix)
    local target
    ((DRY_RUN)) && return 0
    target=$(rollback_target)
    if [[ -n $target ]]; then
        point "$PREVIOUS" "releases/$target"
    else
        run rm -f "$PREVIOUS"
    fi
}

# go_back FROM TO: the services onto TO again, with the database it reads.
go_back() {
    service_all stop || true
    restore_db_for "$1" "$2" || warn "database not restored: see the line above"
    switch_to "$2"
    install_release_files "$2"
    service_all start
}

# prune: keep the newest $KEEP working releases, the rollback target, the newest failed
# one (for inspection), and every release a process still runs from.
prune() {
    local current target running keep_ok=0 kept_failed=0 id state
    current=$(release_of "$CURRENT")
    target=$(rollback_target)
    running=" $(running_releases | tr '\n' ' ') "
    for id in $(all_releases | tac); do
        state=$(release_state "$id")
        if [[ $state == ok ]]; then
            keep_ok=$((keep_ok + 1))
            ((keep_ok <= KEEP)) && continue
        elif ((kept_failed == 0)); then
            kept_failed=1
            continue
        fi
        [[ $id == "$current" || $id == "$target" ]] && continue
        if [[ $running == *" $id "* ]]; then
            log "keeping $id: a process still runs from it"
            continue
        fi
        log "removing old release $id ($state)"
        run rm -rf "${RELEASES:?}/$id"
    done
}
