#!/bin/sh
# Mosaic's agent entrypoint: fetch this container's openclaw.json and
# personality from mosaicd's internal config endpoint, then exec OpenClaw's gateway.
#
# Environment (set by mosaicd when it creates the container):
#   MOSAIC_API_URL    mosaicd's agent-facing address, e.g. http://172.18.0.1:4001
#   AGENT_ID          <containerType>/<id>, e.g. user/0190… or system/ops
#   AGENT_TOKEN_FILE  file holding the gateway token (mosaicd writes it before the start), or
#   AGENT_TOKEN       the token itself (older form; visible in `docker inspect`, avoid)
#   OPENCLAW_STATE_DIR  OpenClaw's state directory (the state volume), default /home/node/.openclaw
#
# The config is written into the state directory, not bind-mounted as a file: OpenClaw rewrites
# its config by rename, which a single-file mount does not survive.
#
# Needs /bin/sh and one of curl, node or wget: OpenClaw's slim image has node but neither curl nor
# wget. The personality: a SOUL.md Mosaic sends is written into the workspace (a copy is kept in
# $OPENCLAW_STATE_DIR/mosaic/) and OpenClaw's first-run BOOTSTRAP.md is removed; when there is
# none, the workspace's SOUL.md is removed only if it is still the one Mosaic wrote, so what the
# agent or OpenClaw's first run wrote there is kept.
set -eu
umask 077

: "${MOSAIC_API_URL:?MOSAIC_API_URL is required}"
: "${AGENT_ID:?AGENT_ID is required}"

if [ -n "${AGENT_TOKEN_FILE:-}" ]; then
    token=$(cat "$AGENT_TOKEN_FILE")
else
    token=${AGENT_TOKEN:-}
fi
token=$(printf '%s' "$token" | tr -d ' \r\n\t')
if [ -z "$token" ]; then
    echo "agent-entrypoint: no gateway token (set AGENT_TOKEN_FILE or AGENT_TOKEN)" >&2
    exit 2
fi
unset AGENT_TOKEN

state_dir=${OPENCLAW_STATE_DIR:-/home/node/.openclaw}
workspace=$state_dir/workspace
url="$MOSAIC_API_URL/api/internal/agent-config/$AGENT_ID"
mkdir -p "$state_dir" "$workspace"
work=$(mktemp -d "${TMPDIR:-/tmp}/mosaic.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The bearer header goes through a file so the token never shows in a process list.
printf 'Authorization: Bearer %s\n' "$token" > "$work/header"

# fetch URL OUTPUT: prints the HTTP status (000 when mosaicd could not be reached).
fetch() {
    if command -v curl >/dev/null 2>&1; then
        curl -sS --max-time 30 -H "@$work/header" -o "$2" -w '%{http_code}' "$1" || true
    elif command -v node >/dev/null 2>&1; then
        # Node's fetch (Node 18 and later), reading the header from the same file as curl.
        node -e '
const fs = require("fs");
const [url, out, header] = process.argv.slice(1);
const auth = fs.readFileSync(header, "utf8").replace(/^Authorization: /, "").trim();
fetch(url, { headers: { Authorization: auth }, signal: AbortSignal.timeout(30000) })
  .then(async (r) => { fs.writeFileSync(out, Buffer.from(await r.arrayBuffer())); process.stdout.write(String(r.status)); })
  .catch(() => process.stdout.write("000"));
' "$1" "$2" "$work/header" || true
    elif command -v wget >/dev/null 2>&1; then
        # wget (GNU or BusyBox) cannot read headers from a file and reports no status: success
        # with a body is 200, success without one 204, failure 000.
        if wget -q --header "Authorization: Bearer $token" -O "$2" "$1" 2>/dev/null; then
            if [ -s "$2" ]; then echo 200; else echo 204; fi
        else
            echo 000
        fi
    else
        echo "agent-entrypoint: none of curl, node or wget is installed" >&2
        exit 2
    fi
}

# The config: retried for a few seconds while mosaicd's internal endpoint is not reachable.
attempt=0
while :; do
    status=$(fetch "$url" "$work/openclaw.json")
    attempt=$((attempt + 1))
    case "$status" in 000|"") [ "$attempt" -lt 5 ] && { sleep 1; continue; } ;; esac
    break
done
if [ "$status" != 200 ]; then
    echo "agent-entrypoint: config fetch from $url failed: HTTP $status $(head -c 300 "$work/openclaw.json" 2>/dev/null)" >&2
    exit 1
fi
# OpenClaw's backups of configs Mosaic wrote earlier: the fresh config is the one to use.
rm -f "$state_dir"/openclaw.json.bak* "$state_dir"/openclaw.json.clobbered.*
mv -f "$work/openclaw.json" "$state_dir/openclaw.json"

mkdir -p "$state_dir/mosaic"
status=$(fetch "$url/soul" "$work/SOUL.md")
case "$status" in
    200)
        cp "$work/SOUL.md" "$state_dir/mosaic/SOUL.md"
        mv -f "$work/SOUL.md" "$workspace/SOUL.md"
        # The personality is the agent's identity: OpenClaw's first-run ritual, which has the
        # agent write its own, does not apply.
        rm -f "$workspace/BOOTSTRAP.md"
        ;;
    204|404)
        if [ -f "$state_dir/mosaic/SOUL.md" ] && cmp -s "$state_dir/mosaic/SOUL.md" "$workspace/SOUL.md"; then
            rm -f "$workspace/SOUL.md"
        fi
        rm -f "$state_dir/mosaic/SOUL.md"
        ;;
    *)
        echo "agent-entrypoint: personality fetch failed: HTTP $status" >&2
        exit 1
        ;;
esac

export OPENCLAW_GATEWAY_TOKEN="$token"
unset token AGENT_TOKEN_FILE
# exec skips the EXIT trap: remove the header file (it holds the token) now.
rm -rf "$work"
trap - EXIT
if command -v openclaw >/dev/null 2>&1; then
    exec openclaw gateway run --bind lan --auth token
fi
# OpenClaw's image runs the CLI from /app without a wrapper on PATH.
exec node /app/openclaw.mjs gateway run --bind lan --auth token
