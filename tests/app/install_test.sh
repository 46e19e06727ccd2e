#!/bin/sh
# install_test.sh BUILD_DIR VERSION [CMAKE]: `cmake --install` into a temporary prefix (no root),
# the files land where desktops look, desktop-file-validate accepts the .desktop file, and the
# INSTALLED binary runs: --version, then the GUI under Xvfb with an empty profile until its window
# shows, closed once with Ctrl+Q (exit 0) and once with SIGTERM (issue 7).
# Exit 77 (skipped) only when a program it needs is missing.
set -u

if [ "${1:-}" = "--in-xvfb" ]; then
    # Inside xvfb-run: $2 binary, $3 work dir, $4 how to close (quit|term), $5 expected WM class.
    bin=$2 work=$3 how=$4 class=$5
    "$bin" >"$work/gui-$how.log" 2>&1 &
    pid=$!
    # --class matches WM_CLASS's class part, which desktops match against StartupWMClass.
    win=$(timeout 30 xdotool search --sync --onlyvisible --class "^$class\$" 2>/dev/null | head -n 1)
    if [ -z "$win" ]; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        echo "FAIL: no visible window of class $class within 30 s; the program said:" >&2
        cat "$work/gui-$how.log" >&2
        exit 1
    fi
    echo "window $win of class $class: \"$(xdotool getwindowname "$win" 2>/dev/null)\""
    if [ "$how" = quit ]; then
        timeout 5 xdotool windowfocus --sync "$win" 2>/dev/null
        xdotool key --clearmodifiers ctrl+q
    else
        kill -TERM "$pid"
    fi
    # Bounded wait for the exit: up to 20 s, then it counts as hung.
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid"
        wait "$pid" 2>/dev/null
        echo "FAIL: still running 20 s after $how; the program said:" >&2
        cat "$work/gui-$how.log" >&2
        exit 1
    fi
    wait "$pid"
    status=$?
    # Ctrl+Q quits through the event loop: 0. SIGTERM: 0 with a handler, else killed by it (143).
    if [ $status -eq 0 ] || { [ "$how" = term ] && [ $status -eq 143 ]; }; then
        echo "closed by $how: exit status $status"
        exit 0
    fi
    echo "FAIL: exit status $status after $how; the program said:" >&2
    cat "$work/gui-$how.log" >&2
    exit 1
fi

build=${1:?usage: install_test.sh BUILD_DIR VERSION [CMAKE]}
version=${2:?usage: install_test.sh BUILD_DIR VERSION [CMAKE]}
cmake=${3:-cmake}

skip() {
    echo "SKIP: $* (scripts/dev installs it)"
    exit 77
}
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

for program in desktop-file-validate xvfb-run xauth xdotool timeout; do
    command -v "$program" >/dev/null 2>&1 || skip "$program is not installed"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/dialscope-install.XXXXXX") || fail "no temporary directory"
trap 'rm -rf "$work"' EXIT INT TERM
prefix=$work/prefix

# 1. The install, as a user would run it: no root, a prefix of our own.
"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 || {
    cat "$work/install.log" >&2
    fail "cmake --install $build --prefix $prefix failed"
}
bin=$prefix/bin/dialscope
desktop=$prefix/share/applications/dialscope.desktop
icon=$prefix/share/icons/hicolor/scalable/apps/dialscope.svg
for f in "$bin" "$desktop" "$icon"; do
    [ -f "$f" ] || fail "not installed: ${f#"$prefix"/} (cmake --install said: $(cat "$work/install.log"))"
done
[ -x "$bin" ] || fail "bin/dialscope is not executable"
echo "installed: bin/dialscope, share/applications/dialscope.desktop, share/icons/hicolor/scalable/apps/dialscope.svg"

# 2. The desktop file: valid, launching the installed binary's name, with its icon and URI schemes.
desktop-file-validate "$desktop" || fail "desktop-file-validate rejected share/applications/dialscope.desktop"
value() { sed -n "s/^$1=//p" "$desktop" | head -n 1; }
[ "$(value Exec | cut -d' ' -f1)" = "$(basename "$bin")" ] || fail "Exec= does not start the installed binary: $(value Exec)"
[ "$(value Icon)" = "dialscope" ] || fail "Icon= is not the installed hicolor icon's name: $(value Icon)"
for scheme in sip sips tel; do
    value MimeType | tr ';' '\n' | grep -qx "x-scheme-handler/$scheme" || fail "MimeType= lacks x-scheme-handler/$scheme"
done
grep -q '<svg' "$icon" || fail "the hicolor icon is not an SVG"
class=$(value StartupWMClass)
[ -n "$class" ] || fail "no StartupWMClass="

# 3. The installed binary prints its version.
out=$("$bin" --version 2>&1) || fail "dialscope --version failed: $out"
[ "$out" = "dialscope $version" ] || fail "dialscope --version printed \"$out\", expected \"dialscope $version\""
echo "$out"

# 4. The GUI starts from the install with an empty profile, on a display of its own, away from the
# user's session bus, keyring and running instance.
mkdir -p "$work/home/.config" "$work/home/.local/share" "$work/home/.cache" "$work/run" "$work/tmp"
chmod 700 "$work/run"
for how in quit term; do
    env -u QT_QPA_PLATFORM -u WAYLAND_DISPLAY -u XDG_CURRENT_DESKTOP -u DIALSCOPE_PASSWORD \
        HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share" \
        XDG_CACHE_HOME="$work/home/.cache" XDG_RUNTIME_DIR="$work/run" TMPDIR="$work/tmp" \
        DBUS_SESSION_BUS_ADDRESS="unix:path=$work/no-bus" QT_QPA_PLATFORM=xcb \
        xvfb-run -a -s "-screen 0 1600x1200x24" "$0" --in-xvfb "$bin" "$work" "$how" "$class" || fail "the installed GUI ($how)"
done
echo "PASS"
