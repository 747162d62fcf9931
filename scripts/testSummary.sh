#!/usr/bin/env bash
# Reads the output of `npm test` on stdin and prints one line, `N passed, N failed`, summed from the
# mocha summary of each suite ("  N passing (…)" and, when any fail, "  N failing"); colour codes are
# ignored. Exits 1 when fewer than `${1:-2}` suites reported (a suite that never finished).
set -uo pipefail
expected=${1:-2}
sed -E 's/\x1b\[[0-9;]*m//g' | awk -v expected="$expected" '
    /^ +[0-9]+ passing/ { passed += $1; suites++ }
    /^ +[0-9]+ failing/ { failed += $1 }
    END {
        print passed + 0 " passed, " failed + 0 " failed"
        if (suites < expected) { print "expected " expected " suites to report; saw " suites + 0; exit 1 }
    }'
