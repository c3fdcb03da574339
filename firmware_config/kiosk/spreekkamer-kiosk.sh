#!/bin/sh
# The client's consent screen: Chromium full screen inside the cage Wayland compositor.
# Waits for the appliance's health endpoint so the client never sees a browser error page.
set -eu

URL="${SPREEKKAMER_KIOSK_URL:-http://127.0.0.1:8081/kiosk}"
HEALTH="${SPREEKKAMER_HEALTH_URL:-http://127.0.0.1:8081/health}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

i=0
until curl --silent --fail --max-time 2 "$HEALTH" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -ge 120 ]; then
        echo "appliance not healthy after 120 s; showing the kiosk page anyway" >&2
        break
    fi
    sleep 1
done

# Developer tools, downloads, printing and every other address are off by Chromium policy
# (chromium-policy.json, installed as /etc/chromium/policies/managed/spreekkamer-kiosk.json);
# the page itself swallows the context menu. Refuse to start without the policy.
POLICY=/etc/chromium/policies/managed/spreekkamer-kiosk.json
if [ ! -r "$POLICY" ] && [ -z "${SPREEKKAMER_KIOSK_NO_POLICY:-}" ]; then
    echo "missing $POLICY: install firmware_config/kiosk/chromium-policy.json there" >&2
    exit 1
fi

# Incognito + a throw-away profile: nothing typed or shown survives a restart.
PROFILE="$(mktemp -d "${XDG_RUNTIME_DIR:-/tmp}/kiosk-profile.XXXXXX")"
trap 'rm -rf "$PROFILE"' EXIT

exec cage -d -s -- "$CHROMIUM" \
    --kiosk "$URL" \
    --incognito \
    --user-data-dir="$PROFILE" \
    --ozone-platform=wayland \
    --no-first-run \
    --noerrdialogs \
    --disable-translate \
    --disable-features=Translate,TouchpadOverscrollHistoryNavigation \
    --disable-pinch \
    --overscroll-history-navigation=0 \
    --disable-session-crashed-bubble \
    --disable-component-update \
    --disable-background-networking \
    --password-store=basic \
    --check-for-update-interval=31536000
