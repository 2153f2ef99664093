#!/bin/sh
# Install Debian's Noto CJK fonts so matplotlib can draw Chinese labels. Optional: without apt or
# root rights it does nothing, and riskplan's plots fall back to English labels.
if fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then exit 0; fi
if ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1; then exit 0; fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "installing fonts-noto-cjk for Chinese plot labels"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk) >/dev/null 2>&1 \
        || echo "fonts-noto-cjk could not be installed; plots will use English labels"
fi
exit 0
