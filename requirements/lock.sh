#!/usr/bin/env bash
# The lock files of tested versions, from pyproject.toml, with uv (`make lock` / `make lock-check`).
#
#   requirements/lock.sh          regenerate requirements/runtime.lock and requirements/dev.lock
#   requirements/lock.sh --check  fail when the locks no longer match pyproject.toml (CI)
#
# One universal lock per set (environment markers cover Python 3.11-3.13, aarch64 and x86_64),
# then a check that every pinned package has a *wheel* for each station target: Raspberry Pi
# OS Bookworm (cp311) and Trixie (cp313) on aarch64, and the same on x86_64 for development
# and CI. A package that would have to be compiled on a Pi fails here, not on the station.
# Existing pins are kept unless pyproject.toml forces a change; `--upgrade` moves them all.
set -euo pipefail
cd "$(dirname "$0")/.."

UV=${UV:-uv}
CHECK=0
EXTRA=()
for arg in "$@"; do
    case $arg in
    --check) CHECK=1 ;;
    --upgrade) EXTRA+=(--upgrade) ;;
    *)
        echo "lock.sh: unknown option $arg" >&2
        exit 2
        ;;
    esac
done

COMMON=(--universal --python-version 3.11 --quiet --custom-compile-command "make lock"
    --constraint requirements/constraints.txt)
TARGETS=(aarch64-manylinux_2_36 x86_64-manylinux_2_36)
PYTHONS=(3.11 3.13)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

compile() { # compile OUT [--extra dev]
    local out=$1
    shift
    local dest=$out
    if ((CHECK)); then
        dest=$tmp/$(basename "$out")
        # uv keeps the versions already in the output file: start from the committed lock.
        [[ -f $out ]] && cp "$out" "$dest"
    fi
    "$UV" pip compile pyproject.toml "$@" "${COMMON[@]}" "${EXTRA[@]}" -o "$dest"
    if ((CHECK)) && ! diff -u "$out" "$dest"; then
        echo "lock.sh: $out is out of date with pyproject.toml: run 'make lock' and commit it" >&2
        exit 1
    fi
}

compile requirements/runtime.lock
compile requirements/dev.lock --extra dev

for platform in "${TARGETS[@]}"; do
    for python in "${PYTHONS[@]}"; do
        "$UV" pip compile requirements/runtime.lock --python-platform "$platform" \
            --python-version "$python" --only-binary :all: --no-header --quiet \
            -o "$tmp/wheels-$platform-$python.txt" ||
            {
                echo "lock.sh: no wheel for cp${python/./} $platform (above)" >&2
                exit 1
            }
    done
done
echo "lock.sh: locks match pyproject.toml; wheels exist for ${TARGETS[*]} x Python ${PYTHONS[*]}"
