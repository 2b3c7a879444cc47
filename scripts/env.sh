# Sourced by every Makefile target and test helper: the offline Pulumi environment.
# One place, so `make` targets, tests and an operator's shell agree.
_root=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)
export PROJECT_ROOT="$_root"
# metadata=skip: the file backend (gocloud fileblob) otherwise keeps a ".attrs" file
# beside each state file and rewrites it in place; a kill -9 at that moment leaves it
# empty and every later command fails with "failed to load checkpoint: EOF". The state
# file itself is written to a temp file and renamed, so without the sidecar a crash
# leaves the previous or the new checkpoint, never a broken one.
# Added to every file:// backend, the default and any other one set in the environment.
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$_root/.pulumi}"
case "$PULUMI_BACKEND_URL" in
  file://*metadata=*) ;;
  file://*\?*) PULUMI_BACKEND_URL="$PULUMI_BACKEND_URL&metadata=skip" ;;
  file://*) PULUMI_BACKEND_URL="$PULUMI_BACKEND_URL?metadata=skip" ;;
esac
# The file backend wants its folder to exist.
case "$PULUMI_BACKEND_URL" in
  file://*) _state_dir=${PULUMI_BACKEND_URL#file://}; mkdir -p "${_state_dir%%\?*}" ;;
esac
# The local emulator of this checkout: the one place its port is chosen. The `local`
# stack's syncro:baseUrl follows it (scripts/select-stack), and so do scripts/emulator-up,
# scripts/emulator-down and the demo's check. A second checkout on the same machine
# takes another port: `EMULATOR_PORT=8790 make demo`.
export EMULATOR_PORT="${EMULATOR_PORT:-8787}"
export EMULATOR_DIR="${EMULATOR_DIR:-$_root/.emulator}"  # its database, pid and log
export EMULATOR_URL="http://127.0.0.1:$EMULATOR_PORT"
export PULUMI_HOME="${PULUMI_HOME:-$_root/.pulumi-home}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_SKIP_CONFIRMATIONS=true
# The `local` stack's passphrase is public on purpose: it guards only emulator
# data. The `prod` stack takes PULUMI_CONFIG_PASSPHRASE (or a secrets provider)
# from the operator's environment; nothing prod-secret is committed.
if [ "${STACK:-local}" = "local" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE="local-emulator-only"
fi
_cli_dir_file="$_root/.pulumi-home/cli-dir"
if [ -f "$_cli_dir_file" ]; then
  export PATH="$(cat "$_cli_dir_file"):$PATH"
fi
export PATH="$_root/.venv/bin:$PATH"
unset _root _cli_dir_file _state_dir
