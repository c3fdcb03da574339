#!/bin/sh
# Score the hardened units with `systemd-analyze security` (works offline, no systemd running).
# Exit status 1 when the core's exposure is above 2.0, the target in DESIGN.md.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
status=0
for unit in "$here/systemd/spreekkamer.service" "$here/systemd/spreekkamer-recorder.service" \
            "$here/kiosk/spreekkamer-kiosk.service"; do
    line="$(systemd-analyze security --offline=yes --no-pager "$unit" 2>/dev/null | grep 'Overall exposure level')"
    score="$(echo "$line" | sed -n 's/.*: \([0-9.]*\) .*/\1/p')"
    echo "$(basename "$unit"): $score"
    if [ "$(basename "$unit")" = "spreekkamer.service" ] && \
       [ "$(echo "$score > 2.0" | awk '{print ($1 > $3)}')" = "1" ]; then
        echo "  core unit exposure $score is above 2.0" >&2
        status=1
    fi
done
exit "$status"
