#!/usr/bin/env bash
# Install the Backstep kiosk (and, with --dashboard, the trainers' dashboard) as systemd
# services on Raspberry Pi OS.
#
# Supports Bookworm (Python 3.11, systemd 252) and Trixie (Python 3.13, systemd 257), 64-bit.
# Safe to run again: every run builds a new release beside the one in use (the same release
# model as systemd/update.sh: see systemd/release.sh), switches to it, and NEVER overwrites
# the staff's /etc/backstep/backstep.toml. The release in use is never installed into.
#
#   sudo systemd/install.sh              install from this checkout, enable and start
#   sudo systemd/install.sh --dashboard  also install, enable and start the dashboard
#   systemd/install.sh --dry-run         print every action, change nothing (no root needed)
#   sudo systemd/update.sh               later: update to a newer checkout, with rollback
#
# Python packages come from requirements/runtime.lock (the versions tested together), so a
# re-run never pulls in untested upgrades. Needs a 64-bit OS: mediapipe has no 32-bit ARM
# (armhf) wheels, and the Raspberry Pi archive: python3-lgpio (GPIO) and rpicam-apps-lite
# (rpicam-vid, which the kiosk reads a CSI camera module from) are not in Debian's.
# Raspberry Pi OS Lite suits best; on the desktop image the compositor holds the screen, so
# SDL's kmsdrm driver cannot take it: see --console. docs/pi-setup.md walks through it all.
set -euo pipefail

ME=install.sh
PREFIX=/opt/backstep
CONFIG_DIR=/etc/backstep
# Overridable for tests and unusual layouts; the unit reads /etc/backstep/backstep.toml.
CONFIG_FILE=${BACKSTEP_INSTALL_CONFIG:-$CONFIG_DIR/backstep.toml}
# audio: the cue sounds (/dev/snd); the others: see SupplementaryGroups= in the unit.
GROUPS_WANTED=(video render input gpio audio)

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=$(cd "$SCRIPT_DIR/.." && pwd)

DRY_RUN=0
SYSTEMD=1
PYTHON=python3
START=1
DESKTOP=ask
BOOT_TO_CONSOLE=0
# shellcheck source=systemd/release.sh
. "$SCRIPT_DIR/release.sh"

usage() {
    print_header "${BASH_SOURCE[0]}"
    cat <<'EOF'

Options:
  --dry-run      print each action instead of doing it
  --dashboard    also install, enable and start the trainers' dashboard
                 (backstep-dashboard.service; add trainers with `sudo backstep trainers add`)
  --no-start     install and enable, but do not (re)start the services
  --console      on the desktop image: boot to the console from now on (the desktop stays
                 installed; `sudo systemctl set-default graphical.target` brings it back)
  --keep-desktop on the desktop image: install anyway, boot unchanged (the kiosk cannot
                 take the screen while the desktop runs; for trying it out)
  --source DIR   the Backstep checkout to install (default: this script's checkout)
  -h, --help     this text

Environment: BACKSTEP_INSTALL_CONFIG=FILE installs/keeps the config there instead.
BACKSTEP_INSTALL_ARCH, BACKSTEP_INSTALL_DESKTOP=yes|no and BACKSTEP_INSTALL_RPI_ARCHIVE=yes|no
override the detection (tests).
EOF
}

while (($#)); do
    case $1 in
    --dry-run) DRY_RUN=1 ;;
    --dashboard) DASHBOARD=1 ;;
    --csi | --no-csi) ;; # older options: rpicam-apps-lite is always installed now
    --no-start) START=0 ;;
    --console) DESKTOP=console ;;
    --keep-desktop) DESKTOP=keep ;;
    --source)
        SOURCE_DIR=$(cd "${2:?--source needs a directory}" && pwd)
        shift
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        echo "install.sh: unknown option: $1 (see --help)" >&2
        exit 2
        ;;
    esac
    shift
done

release_paths

os_codename() {
    local codename=""
    if [[ -r /etc/os-release ]]; then
        # shellcheck source=/dev/null
        codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
    fi
    printf '%s' "$codename"
}

# The userland, not the kernel: 32-bit Raspberry Pi OS runs a 64-bit kernel on a Pi 4/5,
# so `uname -m` says aarch64 while pip would need armhf wheels.
check_architecture() {
    local arch=${BACKSTEP_INSTALL_ARCH:-}
    if [[ -z $arch ]]; then
        arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
    fi
    case $arch in
    arm64 | aarch64 | amd64 | x86_64) log "architecture $arch" ;;
    *)
        die "this is a $arch (32-bit) system: mediapipe publishes no wheels for it, so the \
pose model cannot run. Install the 64-bit Raspberry Pi OS (Lite) and run this again."
        ;;
    esac
}

desktop_detected() {
    case ${BACKSTEP_INSTALL_DESKTOP:-} in
    yes) return 0 ;;
    no) return 1 ;;
    esac
    # What runs now, not the default target: Debian's stock default is graphical.target
    # even on a console-only system. A display manager, or a compositor/X server process.
    systemctl is-active --quiet display-manager.service 2>/dev/null && return 0
    pgrep -x 'labwc|wayfire|Xorg|Xwayland|weston|sway|mutter|kwin_wayland|lightdm|gdm3|sddm' \
        >/dev/null 2>&1
}

# The desktop image boots into a compositor (labwc/wayfire) that owns the screen through
# KMS; SDL's kmsdrm driver cannot take it while it runs. The kiosk needs the console.
check_desktop() {
    desktop_detected || return 0
    case $DESKTOP in
    console)
        log "desktop image: booting to the console from now on (--console)"
        BOOT_TO_CONSOLE=1
        ;;
    keep) warn "desktop image kept (--keep-desktop): the kiosk cannot show its screen while \
the desktop runs; stop it (sudo systemctl isolate multi-user.target) or re-run with --console" ;;
    *)
        die "this is the desktop image: its compositor holds the screen, so the kiosk (SDL \
kmsdrm) cannot draw. Choose: --console boots to the console from now on (recommended; the \
desktop stays installed), or --keep-desktop to install anyway. Raspberry Pi OS Lite avoids this."
        ;;
    esac
}

check_prerequisites() {
    [[ -f $SOURCE_DIR/pyproject.toml && -f $SOURCE_DIR/config/backstep.toml ]] ||
        die "$SOURCE_DIR is not a Backstep checkout (no pyproject.toml / config/backstep.toml)"
    if ((!DRY_RUN)) && ((EUID != 0)); then
        die "run as root (sudo $0), or try --dry-run"
    fi
    CODENAME=$(os_codename)
    case $CODENAME in
    bookworm | trixie) log "Raspberry Pi OS / Debian $CODENAME" ;;
    *) warn "untested OS '${CODENAME:-unknown}': Bookworm and Trixie are supported" ;;
    esac
    check_architecture
    check_rpi_archive
    check_desktop
    command -v python3 >/dev/null || die "python3 is missing"
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
        die "Python 3.11 or newer is needed (Bookworm has 3.11)"
}

create_user() {
    if id -u "$APP_USER" >/dev/null 2>&1; then
        log "user $APP_USER exists"
    else
        log "creating system user $APP_USER"
        run useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home \
            --shell /usr/sbin/nologin "$APP_USER"
    fi
    # The unit names these groups (SupplementaryGroups=); a missing one stops it starting.
    # Raspberry Pi OS has all four; plain Debian may lack gpio.
    local group
    for group in "${GROUPS_WANTED[@]}"; do
        if ! getent group "$group" >/dev/null; then
            warn "group $group does not exist; creating it (device access then needs a udev rule)"
            run groupadd --system "$group"
        fi
    done
    log "groups for $APP_USER: ${GROUPS_WANTED[*]}"
    run usermod --append --groups "$(
        IFS=,
        printf '%s' "${GROUPS_WANTED[*]}"
    )" "$APP_USER"
    run install -d -o "$APP_USER" -g "$APP_USER" -m 0750 "$STATE_DIR" "$CACHE_DIR"
    # the backups update.sh and install.sh take of the station database before a switch
    run install -d -o "$APP_USER" -g "$APP_USER" -m 0750 "$STATE_DIR/backups"
    run install -d -o root -g root -m 0755 "$PREFIX"
    # Group-writable for the kiosk: the staff screen's zone "Save" rewrites the file (beside
    # it, then renamed, so the directory too). Not world-readable: it holds the staff PIN.
    run install -d -o root -g "$APP_USER" -m 0770 "$CONFIG_DIR"
}

install_config() { # install_config ID: the staff file (only when absent), checked by ID
    if [[ -e $CONFIG_FILE ]]; then
        log "keeping the existing $CONFIG_FILE (staff edits are never overwritten)"
        run chmod g+w "$CONFIG_FILE" # older installs: 0640, so the zone "Save" could not write
    else
        log "config: $CONFIG_FILE from the documented default"
        # The service group only (it holds the staff PIN); writable for the zone "Save".
        run install -o root -g "$APP_USER" -m 0660 "$SOURCE_DIR/config/backstep.toml" \
            "$CONFIG_FILE"
    fi
    run env "BACKSTEP_CONFIG=$CONFIG_FILE" "$RELEASES/$1/bin/backstep" config check
}

fetch_model() { # fetch_model ID
    log "pose model into $CACHE_DIR (as $APP_USER)"
    as_app_user "$RELEASES/$1/bin/backstep" model fetch
}

# A venv from before releases existed becomes the release "legacy" (update.sh does the same).
adopt_legacy_venv() {
    if [[ -d $CURRENT && ! -L $CURRENT ]]; then
        log "moving the existing venv into $RELEASES/legacy (kept for --rollback)"
        run mkdir -p "$RELEASES"
        run mv "$CURRENT" "$RELEASES/legacy"
        point "$CURRENT" "releases/legacy"
    fi
}

# deploy ID: the switch, as update.sh does it: copy the database, point the link, units and
# wrapper of the release, every Backstep service restarted onto it and checked.
deploy() {
    local id=$1 old since previous_health="/dev/null"
    old=$(release_of "$CURRENT")
    if [[ -n $old ]] && ((START)); then
        previous_health=$(health_before "$id")
        service_all stop
        backup_db "$old" "$id" || die "could not copy the database before the switch"
    fi
    switch_to "$id"
    install_release_files "$id"
    if ((BOOT_TO_CONSOLE)); then
        run systemctl set-default multi-user.target
        log "the desktop no longer starts at boot; reboot to give the screen to the kiosk"
    fi
    if ((!START)); then
        mark "$id" ok
        log "not started (--no-start): sudo systemctl start $(services | tr '\n' ' ')"
        return 0
    fi
    since=$(date +%s)
    # restart, not start: a re-run must load the new code in every service.
    if ! service_all restart || ! post_switch_check "$id" "$since" "$previous_health"; then
        mark "$id" "failed: did not prove model, camera frame and pose after the switch"
        [[ -n $old ]] && go_back "$id" "$old"
        die "the new release did not start properly${old:+; back on $old} (journalctl -u backstep)"
    fi
    mark "$id" ok
    refresh_previous
    log "started; follow it with: journalctl -u backstep -f"
}

main() {
    local id
    ((DRY_RUN)) && log "dry run: nothing is changed"
    check_prerequisites
    install_packages "$CODENAME"
    create_user
    adopt_legacy_venv
    # Always a new release: the one in use is never pip-installed into (a re-run keeps it
    # whole, for update.sh --rollback).
    id=$(new_release_id install)
    if ! build_release "$id"; then
        mark "$id" "failed: build"
        die "the build of $id failed (see above); the release in use is unchanged"
    fi
    mark "$id" checking
    install_config "$id"
    fetch_model "$id"
    deploy "$id"
    prune
    log "done. Check the station with: sudo backstep doctor"
    ((DASHBOARD)) && log "dashboard: add a trainer with: sudo backstep trainers add NAME"
    return 0
}

main
