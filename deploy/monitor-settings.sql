-- The monitor's health checks (run once on the monitor as postgres, then
-- SELECT pg_reload_conf();). Shorter than pg_auto_failover's defaults (5 s
-- checks, 20 s until a node is unhealthy, 30 s for a lost primary to demote),
-- under which a failover takes about 50 s; these should take about 20 s (the
-- write downtime is about node_considered_unhealthy_timeout plus
-- primary_demote_timeout plus a second: tests/ha measured 8-10 s with 3 s + 5 s).
-- primary_demote_timeout must stay above every node's
-- timeout.network_partition_timeout (node.sh sets 10 s): the monitor promotes
-- the standby only once a primary it cannot reach has had time to demote itself.
ALTER SYSTEM SET pgautofailover.health_check_period = 2000;            -- ms between checks
ALTER SYSTEM SET pgautofailover.health_check_timeout = 2000;           -- ms a check may take
ALTER SYSTEM SET pgautofailover.health_check_max_retries = 2;
ALTER SYSTEM SET pgautofailover.health_check_retry_delay = 1000;       -- ms
ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = 6000;  -- ms without a report
ALTER SYSTEM SET pgautofailover.primary_demote_timeout = 12000;        -- ms, > 10 s partition timeout
SELECT pg_reload_conf();
