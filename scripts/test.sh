#!/usr/bin/env bash
# `npm test`: every test suite of the repository — the infrastructure tests (mocha, under Pulumi mocks)
# and the reference agent's own suite (agent/, against a real redis-server and an SQS emulator on
# loopback). The two run at the same time: one is CPU-bound, the other mostly waits on the processes
# and timers it tests. Each suite's output is held back and printed whole (infrastructure first), so
# the two never interleave and each ends with its own mocha summary. The exit status is non-zero when
# either fails.
set -u
cd "$(dirname "$0")/.." || exit 1
status=0
if [ ! -d agent/node_modules ]; then
    npm --prefix agent ci --no-audit --no-fund || status=1
fi
color=()
[ -t 1 ] && color=(--color)
infra_log=$(mktemp)
agent_log=$(mktemp)
trap 'rm -f "$infra_log" "$agent_log"' EXIT

npx mocha "${color[@]}" 'tests/**/*.test.ts' >"$infra_log" 2>&1 &
infra=$!
npm --prefix agent test -- "${color[@]}" >"$agent_log" 2>&1 &
agent=$!

wait "$infra" || status=1
cat "$infra_log"
wait "$agent" || status=1
cat "$agent_log"
exit "$status"
