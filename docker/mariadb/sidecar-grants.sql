-- The CRM Bridge sidecar's database user: row access to the plugin's tables, SELECT and UPDATE on
-- the connection tests (the plugin requests them, the sidecar writes the answer into the request's
-- row) and SELECT on the plugin's options view, nothing else (no WordPress core table, no order table).
-- Written for the database `wordpress` and the table prefix `wp_`: replace both with yours.
-- MariaDB and MySQL refuse a table-level GRANT on a table that does not exist yet, so run this after
-- the plugin is activated (it creates the tables and the view), and again after an update that adds a table.
-- Create the user first:
--   CREATE USER 'crm_bridge_sidecar'@'%' IDENTIFIED BY '<a long random password>';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wordpress`.`wp_crm_bridge_inbox` TO 'crm_bridge_sidecar'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wordpress`.`wp_crm_bridge_outbox` TO 'crm_bridge_sidecar'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wordpress`.`wp_crm_bridge_subscriptions` TO 'crm_bridge_sidecar'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wordpress`.`wp_crm_bridge_log` TO 'crm_bridge_sidecar'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wordpress`.`wp_crm_bridge_links` TO 'crm_bridge_sidecar'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wordpress`.`wp_crm_bridge_sidecars` TO 'crm_bridge_sidecar'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wordpress`.`wp_crm_bridge_refusals` TO 'crm_bridge_sidecar'@'%';
GRANT SELECT, UPDATE ON `wordpress`.`wp_crm_bridge_connection_tests` TO 'crm_bridge_sidecar'@'%';
GRANT SELECT ON `wordpress`.`wp_crm_bridge_options` TO 'crm_bridge_sidecar'@'%';
