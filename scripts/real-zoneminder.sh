#!/usr/bin/env bash
# A real ZoneMinder 1.36 on this machine for the opt-in end-to-end test (Debian packages, no systemd needed):
# MariaDB with the zm schema, auth + API on (OPT_USE_API, OPT_USE_AUTH, the admin user's APIEnabled),
# Apache with the API rewrite rules from ZoneMinder's example config, one Ffmpeg monitor reading a
# local video file (generated with ffmpeg), then the daemons. Finally runs src/hi/services/zoneminder/tests/test_real_zoneminder.py.
#
#   sudo scripts/real-zoneminder.sh        (HI_REAL_ZM_SKIP_TEST=1 to only set ZoneMinder up)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
started=$(date +%s)
export DEBIAN_FRONTEND=noninteractive

if ! dpkg -s zoneminder mariadb-server apache2 >/dev/null 2>&1; then
  apt-get update -qq
  apt-get install -y -qq mariadb-server apache2 zoneminder
fi
installed=$(date +%s)

service mariadb start >/dev/null
if ! mysql -N -e "SHOW TABLES FROM zm LIKE 'Monitors'" 2>/dev/null | grep -q Monitors; then
  mysql -e "CREATE DATABASE IF NOT EXISTS zm"
  mysql zm < /usr/share/zoneminder/db/zm_create.sql
fi
mysql -e "CREATE USER IF NOT EXISTS 'zmuser'@'localhost' IDENTIFIED BY 'zmpass';
          GRANT ALL ON zm.* TO 'zmuser'@'localhost'; FLUSH PRIVILEGES;"
secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
mysql zm -e "
  UPDATE Config SET Value='1' WHERE Name IN ('ZM_OPT_USE_API', 'ZM_OPT_USE_AUTH');
  UPDATE Config SET Value='0' WHERE Name='ZM_OPT_USE_LEGACY_API_AUTH';
  UPDATE Config SET Value='builtin' WHERE Name='ZM_AUTH_TYPE';
  UPDATE Config SET Value='${secret}' WHERE Name='ZM_AUTH_HASH_SECRET' AND Value LIKE '%Change me%';
  UPDATE Config SET Value='America/Chicago' WHERE Name='ZM_TIMEZONE';
  UPDATE Config SET Value='0' WHERE Name='ZM_SHOW_PRIVACY';  -- else every portal view redirects to view=privacy
  UPDATE Users SET APIEnabled=1 WHERE Username='admin';"

# What the monitor reads: a local video file (ffmpeg's moving test pattern), through an Ffmpeg source.
mkdir -p /var/cache/zoneminder
VIDEO=/var/cache/zoneminder/hi-test.mp4
[ -s "$VIDEO" ] || ffmpeg -loglevel error -f lavfi -i testsrc=size=320x240:rate=5 -t 60 -pix_fmt yuv420p "$VIDEO"
chown -R www-data:www-data /var/cache/zoneminder
mysql zm -e "DELETE FROM Monitors WHERE Name='hi-test' AND Type<>'Ffmpeg'"
if ! mysql -N zm -e "SELECT Id FROM Monitors WHERE Name='hi-test'" | grep -q .; then
  mysql zm -e "INSERT INTO Monitors (Name, Type, Function, Enabled, Path, Width, Height, Colours, MaxFPS, AlarmMaxFPS,
                 ImageBufferCount, WarmupCount, PreEventCount, PostEventCount, SectionLength, FrameSkip, AnalysisFPSLimit)
               VALUES ('hi-test', 'Ffmpeg', 'Nodect', 1, '${VIDEO}', 320, 240, 4, 5, 5,
                 20, 0, 2, 2, 600, 0, 5);"
fi

# Apache: the packaged conf plus the API rewrite rules from ZoneMinder's example (CakePHP routing).
cat > /etc/apache2/conf-available/hi-zoneminder-api.conf <<'CONF'
<Directory "/usr/share/zoneminder/www/api">
   RewriteEngine on
   RewriteRule ^$ app/webroot/ [L]
   RewriteRule (.*) app/webroot/$1 [L]
   RewriteBase /zm/api
</Directory>
<Directory "/usr/share/zoneminder/www/api/app">
   RewriteEngine on
   RewriteRule ^$ webroot/ [L]
   RewriteRule (.*) webroot/$1 [L]
   RewriteBase /zm/api
</Directory>
<Directory "/usr/share/zoneminder/www/api/app/webroot">
    RewriteEngine On
    RewriteCond %{REQUEST_FILENAME} !-d
    RewriteCond %{REQUEST_FILENAME} !-f
    RewriteRule ^ index.php [L]
    RewriteBase /zm/api
</Directory>
CONF
a2enmod -q rewrite cgi headers expires >/dev/null
a2enconf -q zoneminder hi-zoneminder-api >/dev/null
chown -R root:www-data /etc/zm && chmod 750 /etc/zm && find /etc/zm -type f -exec chmod 640 {} +
mkdir -p /var/log/zm /run/zm /var/cache/zoneminder/events /var/cache/zoneminder/images
chown -R www-data:www-data /var/log/zm /run/zm /var/cache/zoneminder
service apache2 restart >/dev/null 2>&1 || service apache2 start >/dev/null
/usr/bin/zmpkg.pl restart >/dev/null  # start, or pick up a changed configuration
ready=$(date +%s)
echo "ZoneMinder is up at http://127.0.0.1/zm (install $((installed - started)) s, setup $((ready - installed)) s)" >&2

if [ "${HI_REAL_ZM_SKIP_TEST:-0}" != "1" ]; then
  cd "$ROOT"
  HI_REAL_ZM=1 .venv/bin/pytest -q -s -p no:cacheprovider src/hi/services/zoneminder/tests/test_real_zoneminder.py
  echo "end-to-end test done in $(( $(date +%s) - ready )) s (whole script $(( $(date +%s) - started )) s)" >&2
fi
