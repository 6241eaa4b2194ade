# Sourced by bin/run and bin/test: make .venv with Python 3.11+ and install a requirements file.
# Safe to repeat: pip runs only when the requirements files changed since the last install.

ensure_venv() {
    local requirements="$1"
    local python="${PYTHON:-python3}"
    if [ ! -e .venv ]; then
        if ! command -v "$python" >/dev/null 2>&1; then
            echo "Python 3.11 or newer is needed, and '$python' was not found." >&2
            echo "Install Python 3.11+ (Debian/Ubuntu: sudo apt-get install -y python3 python3-venv)," >&2
            echo "or point PYTHON at one: PYTHON=/usr/bin/python3.12 $0" >&2
            exit 1
        fi
        if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
            echo "Python 3.11 or newer is needed; '$python' is $("$python" --version 2>&1)." >&2
            echo "Install Python 3.11+, or point PYTHON at one: PYTHON=/usr/bin/python3.12 $0" >&2
            exit 1
        fi
        echo "Creating .venv with $("$python" --version 2>&1) ..."
        if ! "$python" -m venv .venv; then
            rm -rf .venv
            echo "Could not create a virtualenv. On Debian/Ubuntu: sudo apt-get install -y python3-venv" >&2
            exit 1
        fi
    fi
    if ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo ".venv has no working Python 3.11 or newer ($(.venv/bin/python --version 2>&1))." >&2
        echo "Remove it (rm -rf .venv) and run $0 again, with PYTHON=/path/to/python3.11+ if needed." >&2
        exit 1
    fi
    # The stamp records what was installed, so an unchanged venv is not reinstalled every run.
    local stamp=".venv/.installed-$(basename "$requirements")"
    local wanted
    wanted="$(cat requirements*.txt | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
        echo "Installing $requirements into .venv ..."
        .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
        echo "$wanted" > "$stamp"
    fi
}
