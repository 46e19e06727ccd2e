#!/bin/sh
# Runs a command with a real Secret Service: an unlocked gnome-keyring in the current D-Bus
# session (start it under dbus-run-session). Home and runtime directories are throw-away, so
# nothing of the user's keyring is touched.
set -e
XDG_RUNTIME_DIR=$(mktemp -d)
HOME=$(mktemp -d)
export XDG_RUNTIME_DIR HOME
trap 'rm -rf "$XDG_RUNTIME_DIR" "$HOME"' EXIT
printf '%s' "dialscope-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
"$@"
