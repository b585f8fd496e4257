#!/usr/bin/env bash
# Install (or update) the Backstep kiosk as a systemd service on Raspberry Pi OS.
#
# Supports Bookworm (Python 3.11, systemd 252) and Trixie (Python 3.13, systemd 257).
# Safe to run again: it updates the code and the unit, and NEVER overwrites the staff's
# /etc/backstep/backstep.toml.
#
#   sudo systemd/install.sh              install from this checkout, enable and start
#   sudo systemd/install.sh --csi        also install Picamera2 for a CSI camera module
#   systemd/install.sh --dry-run         print every action, change nothing (no root needed)
#   sudo systemd/update.sh               later: update to a newer checkout, with rollback
#
# Python packages come from requirements/runtime.lock (the versions tested together), so a
# re-run never pulls in untested upgrades. Needs a 64-bit OS: mediapipe has no 32-bit ARM
# (armhf) wheels. Raspberry Pi OS Lite suits best; on the desktop image the compositor holds
# the screen, so SDL's kmsdrm driver cannot take it: see --console.
#
# Bookworm caveat (picamera2 #1088, #1211): the venv uses --system-site-packages so the apt
# Picamera2 stack is visible, but mediapipe needs numpy 2, which pip installs into the venv
# and which then shadows the apt numpy 1.24 that Bookworm's python3-picamera2 (simplejpeg,
# pidng) is built against. A CSI camera can then fail to import ("numpy.dtype size changed").
# USB cameras are unaffected; on Bookworm prefer a USB camera, or use Trixie (numpy 2.2 from
# apt) for a CSI module. `backstep doctor` shows whether the camera works.
set -euo pipefail

APP_USER=backstep
PREFIX=/opt/backstep
VENV=$PREFIX/venv
CONFIG_DIR=/etc/backstep
# Overridable for tests and unusual layouts; the unit reads /etc/backstep/backstep.toml.
CONFIG_FILE=${BACKSTEP_INSTALL_CONFIG:-$CONFIG_DIR/backstep.toml}
STATE_DIR=/var/lib/backstep
CACHE_DIR=/var/cache/backstep
UNIT_NAME=backstep.service
UNIT_FILE=/etc/systemd/system/$UNIT_NAME
CLI_WRAPPER=/usr/local/bin/backstep
# audio: the cue sounds (/dev/snd); the others: see SupplementaryGroups= in the unit.
GROUPS_WANTED=(video render input gpio audio)

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=$(cd "$SCRIPT_DIR/.." && pwd)

DRY_RUN=0
CSI=auto
START=1
DESKTOP=ask
BOOT_TO_CONSOLE=0

usage() {
    sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --dry-run      print each action instead of doing it
  --csi          install python3-picamera2 (default: only when a CSI camera is detected)
  --no-csi       never install python3-picamera2
  --no-start     install and enable, but do not (re)start the service
  --console      on the desktop image: boot to the console from now on (the desktop stays
                 installed; `sudo systemctl set-default graphical.target` brings it back)
  --keep-desktop on the desktop image: install anyway, boot unchanged (the kiosk cannot
                 take the screen while the desktop runs; for trying it out)
  --source DIR   the Backstep checkout to install (default: this script's checkout)
  -h, --help     this text

Environment: BACKSTEP_INSTALL_CONFIG=FILE installs/keeps the config there instead.
BACKSTEP_INSTALL_ARCH and BACKSTEP_INSTALL_DESKTOP=yes|no override the detection (tests).
EOF
}

while (($#)); do
    case $1 in
    --dry-run) DRY_RUN=1 ;;
    --csi) CSI=yes ;;
    --no-csi) CSI=no ;;
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

log() { printf '==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
    printf 'install.sh: %s\n' "$*" >&2
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

# `run_as_app_user CMD...`: run as the service user with the service's cache directory.
run_as_app_user() {
    run runuser -u "$APP_USER" -- env "HOME=$STATE_DIR" "BACKSTEP_CACHE_DIR=$CACHE_DIR" "$@"
}

os_codename() {
    local codename=""
    if [[ -r /etc/os-release ]]; then
        # shellcheck source=/dev/null
        codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
    fi
    printf '%s' "$codename"
}

csi_camera_detected() {
    local tool
    for tool in rpicam-hello libcamera-hello; do
        if command -v "$tool" >/dev/null 2>&1; then
            timeout 10 "$tool" --list-cameras 2>/dev/null | grep -q '^[0-9] : ' && return 0
            return 1
        fi
    done
    return 1
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
    [[ -e /etc/systemd/system/display-manager.service ]] && return 0
    [[ $(systemctl get-default 2>/dev/null) == graphical.target ]]
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
    check_desktop
    command -v python3 >/dev/null || die "python3 is missing"
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
        die "Python 3.11 or newer is needed (Bookworm has 3.11)"
}

install_packages() {
    # libgl1/glib: OpenCV (a mediapipe dependency) loads them; DejaVu: the kiosk's font;
    # libgbm/libdrm/EGL/GLES: SDL's kmsdrm video driver on a console-only Pi.
    local glib=libglib2.0-0
    [[ $CODENAME == trixie ]] && glib=libglib2.0-0t64 # Trixie's 64-bit time_t rename
    local packages=(python3-venv python3-pip python3-lgpio fonts-dejavu-core libgl1 "$glib"
        libgbm1 libdrm2 libegl1 libgles2)
    if [[ $CSI == yes ]] || { [[ $CSI == auto ]] && csi_camera_detected; }; then
        packages+=(python3-picamera2)
        [[ $CODENAME == bookworm ]] &&
            warn "Bookworm + CSI camera: see the numpy caveat at the top of this script"
    fi
    log "apt packages: ${packages[*]}"
    run apt-get update
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        "${packages[@]}"
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
    run install -d -o root -g root -m 0755 "$PREFIX"
    # Group-writable for the kiosk: the staff screen's zone "Save" rewrites the file (beside
    # it, then renamed, so the directory too). Not world-readable: it holds the staff PIN.
    run install -d -o root -g "$APP_USER" -m 0770 "$CONFIG_DIR"
}

install_venv() {
    if [[ -x $VENV/bin/python ]]; then
        log "venv $VENV exists"
    else
        # Each version gets its own venv under releases/; $VENV links to the one in use, so
        # systemd/update.sh can install the next beside it and switch (or roll back).
        local release
        release="releases/$(date -u +%Y%m%dT%H%M%SZ)-install"
        log "creating venv $PREFIX/$release (with system site packages: apt lgpio, picamera2)"
        run python3 -m venv --system-site-packages "$PREFIX/$release"
        run ln -sfn "$release" "$VENV"
    fi
    log "installing Backstep from $SOURCE_DIR"
    # The tested versions only (requirements/runtime.lock): a re-run upgrades nothing else.
    run "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        -c "$SOURCE_DIR/requirements/runtime.lock" "$SOURCE_DIR"
}

install_config() {
    if [[ -e $CONFIG_FILE ]]; then
        log "keeping the existing $CONFIG_FILE (staff edits are never overwritten)"
        run chmod g+w "$CONFIG_FILE" # older installs: 0640, so the zone "Save" could not write
    else
        log "config: $CONFIG_FILE from the documented default"
        # The service group only (it holds the staff PIN); writable for the zone "Save".
        run install -o root -g "$APP_USER" -m 0660 "$SOURCE_DIR/config/backstep.toml" \
            "$CONFIG_FILE"
    fi
    run env "BACKSTEP_CONFIG=$CONFIG_FILE" "$VENV/bin/backstep" config check
}

fetch_model() {
    log "pose model into $CACHE_DIR (as $APP_USER)"
    run_as_app_user "$VENV/bin/backstep" model fetch
}

install_unit() {
    log "staff command $CLI_WRAPPER (the service's config, data and model cache)"
    run install -o root -g root -m 0755 "$SCRIPT_DIR/backstep-cli.sh" "$CLI_WRAPPER"
    log "systemd unit $UNIT_FILE"
    run install -o root -g root -m 0644 "$SCRIPT_DIR/$UNIT_NAME" "$UNIT_FILE"
    run systemctl daemon-reload
    run systemctl enable "$UNIT_NAME"
    if ((BOOT_TO_CONSOLE)); then
        run systemctl set-default multi-user.target
        log "the desktop no longer starts at boot; reboot to give the screen to the kiosk"
    fi
    if ((START)); then
        # restart, not start: a re-run must load the new code.
        run systemctl restart "$UNIT_NAME"
        log "started; follow it with: journalctl -u backstep -f"
    else
        log "not started (--no-start): sudo systemctl start backstep"
    fi
}

main() {
    ((DRY_RUN)) && log "dry run: nothing is changed"
    check_prerequisites
    install_packages
    create_user
    install_venv
    install_config
    fetch_model
    install_unit
    log "done. Check the station with: sudo backstep doctor"
}

main
