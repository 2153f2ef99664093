#!/bin/sh
# Install Debian's chromium and chromedriver: tests/test_html_map.py opens the interactive route map
# in a real headless browser. Needed by `make test`: as root on Debian it installs them with apt;
# elsewhere it says what to install (the test then fails with the same message, it is not skipped).
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then exit 0; fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "installing chromium and chromium-driver for the HTML map test"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null \
        || { echo "chromium / chromium-driver could not be installed with apt-get" >&2; exit 1; }
else
    echo "tests/test_html_map.py needs /usr/bin/chromium and /usr/bin/chromedriver:" \
         "install Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)" >&2
fi
exit 0
