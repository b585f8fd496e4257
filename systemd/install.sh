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
GROUPS_WANTED=(video render input gpio)

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=$(cd "$SCRIPT_DIR/.." && pwd)

DRY_RUN=0
CSI=auto
START=1

usage() {
    sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --dry-run      print each action instead of doing it
  --csi          install python3-picamera2 (default: only when a CSI camera is detected)
  --no-csi       never install python3-picamera2
  --no-start     install and enable, but do not (re)start the service
  --source DIR   the Backstep checkout to install (default: this script's checkout)
  -h, --help     this text

Environment: BACKSTEP_INSTALL_CONFIG=FILE installs/keeps the config there instead.
EOF
}

while (($#)); do
    case $1 in
    --dry-run) DRY_RUN=1 ;;
    --csi) CSI=yes ;;
    --no-csi) CSI=no ;;
    --no-start) START=0 ;;
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
    run install -d -o root -g root -m 0755 "$PREFIX" "$CONFIG_DIR"
}

install_venv() {
    if [[ -x $VENV/bin/python ]]; then
        log "venv $VENV exists"
    else
        log "creating venv $VENV (with system site packages: apt lgpio and picamera2)"
        run python3 -m venv --system-site-packages "$VENV"
    fi
    log "installing Backstep from $SOURCE_DIR"
    run "$VENV/bin/pip" install --quiet --upgrade pip
    run "$VENV/bin/pip" install --quiet --upgrade "$SOURCE_DIR"
}

install_config() {
    if [[ -e $CONFIG_FILE ]]; then
        log "keeping the existing $CONFIG_FILE (staff edits are never overwritten)"
    else
        log "config: $CONFIG_FILE from the documented default"
        # Readable by the service group only: it holds the staff PIN.
        run install -o root -g "$APP_USER" -m 0640 "$SOURCE_DIR/config/backstep.toml" \
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
