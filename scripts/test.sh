#!/usr/bin/env bash
# `npm test`: every test suite of the repository — the infrastructure tests (mocha, under Pulumi mocks),
# then the reference agent's own suite (agent/, against a real redis-server and an SQS emulator on
# loopback). Both always run; the exit status is non-zero when either fails.
set -u
cd "$(dirname "$0")/.."
status=0
npx mocha 'tests/**/*.test.ts' || status=1
if [ ! -d agent/node_modules ]; then
    npm --prefix agent ci --no-audit --no-fund || status=1
fi
npm --prefix agent test || status=1
exit "$status"
