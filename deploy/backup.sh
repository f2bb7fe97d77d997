#!/usr/bin/env bash
# Nightly encrypted backup of An Toàn: the database (one consistent snapshot) and the uploaded
# files in one GnuPG-encrypted file, then retention. Run by antoan-backup.timer, as root or as a
# user who can read /etc/antoan/backup.env and write BACKUP_DIR. docs/operations/backup.md.
#
# /etc/antoan/backup.env (mode 0600) adds to /etc/antoan/env:
#   BACKUP_DATABASE_URL   the owner's URL (reads every table); default DATABASE_URL
#   BACKUP_DIR            where backups go (default /var/backups/antoan); copy them off the
#                         machine afterwards (BACKUP_COPY_COMMAND)
#   BACKUP_PASSPHRASE_FILE the passphrase (default /etc/antoan/backup-passphrase); keep a copy
#                         offline. NEVER store the field keys beside the backups.
#   BACKUP_KEEP_DAYS      default 30 (the newest three are always kept)
#   BACKUP_COPY_COMMAND   optional, run with the new file as $1, e.g. an rsync to another site
set -euo pipefail

APP_DIR="${APP_DIR:-/srv/antoan}"
set -a
# shellcheck disable=SC1091
. "${ANTOAN_ENV_FILE:-/etc/antoan/env}"
BACKUP_ENV_FILE="${BACKUP_ENV_FILE:-/etc/antoan/backup.env}"
if [ -f "$BACKUP_ENV_FILE" ]; then . "$BACKUP_ENV_FILE"; fi
set +a

BACKUP_DIR="${BACKUP_DIR:-/var/backups/antoan}"
BACKUP_PASSPHRASE_FILE="${BACKUP_PASSPHRASE_FILE:-/etc/antoan/backup-passphrase}"
BACKUP_KEEP_DAYS="${BACKUP_KEEP_DAYS:-30}"
umask 077

cd "$APP_DIR"
output=$(.venv/bin/python manage.py backup \
  --to "$BACKUP_DIR" \
  --passphrase-file "$BACKUP_PASSPHRASE_FILE" \
  --keep-days "$BACKUP_KEEP_DAYS" \
  --database-url "${BACKUP_DATABASE_URL:-$DATABASE_URL}")
echo "$output"
if [ -n "${BACKUP_COPY_COMMAND:-}" ]; then
  newest=$(printf '%s\n' "$output" | sed -n 's/^Backup written: \(.*\) ([0-9]* bytes)$/\1/p')
  $BACKUP_COPY_COMMAND "$newest"
fi
