#!/bin/sh
# One-shot step of docker-compose.yml: creates the sidecar's database user, then applies
# sidecar-grants.sql (for DB_NAME and TABLE_PREFIX) once the plugin has created its tables and view:
# a table-level GRANT needs the table to exist. Runs as a database user that may grant (root by
# default); its password comes from MYSQL_PWD, never from the command line.
set -eu
: "${CRM_BRIDGE_SIDECAR_DB_PASSWORD:?set CRM_BRIDGE_SIDECAR_DB_PASSWORD}"
db_name=${DB_NAME:-wordpress}
prefix=${TABLE_PREFIX:-wp_}
client() { mariadb --host="${DB_HOST:-db}" ${DB_PORT:+--port="$DB_PORT"} ${DB_SOCKET:+--socket="$DB_SOCKET"} --user="${DB_ADMIN_USER:-root}" "$@"; }
# SQL string literal: double the backslashes and the single quotes.
password=$(printf '%s' "$CRM_BRIDGE_SIDECAR_DB_PASSWORD" | sed -e 's/\\/\\\\/g' -e "s/'/''/g")
grants=$(sed -e "s/\`wordpress\`\./\`$db_name\`./" -e "s/\`wp_crm_bridge_/\`${prefix}crm_bridge_/" "$(dirname "$0")/sidecar-grants.sql")
until client -e 'SELECT 1' >/dev/null 2>&1; do sleep 2; done
client -e "CREATE USER IF NOT EXISTS 'crm_bridge_sidecar'@'%' IDENTIFIED BY '$password'; ALTER USER 'crm_bridge_sidecar'@'%' IDENTIFIED BY '$password';"
until printf '%s\n' "$grants" | client 2>/dev/null; do
	echo 'waiting for the CRM Bridge tables: activate the plugin in WordPress'
	sleep 5
done
echo 'crm_bridge_sidecar has its grants'
