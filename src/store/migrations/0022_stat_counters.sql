-- Counts kept as the rows change, so that /metrics and the overview read a few small rows
-- instead of counting every authorizer, token, delivery or rollout (their cost no longer grows
-- with the platform). Statement-level triggers fold each statement's changes into one delta per
-- counter; instances on one PostgreSQL all write through them, so the counts stay right
-- whichever instance changed a row.
--
-- A counter is the sum of its shards. Each connection writes the shard of its backend pid, so
-- two connections changing the same count at once rarely wait for each other.
CREATE TABLE stat_counters (
  name   TEXT NOT NULL,
  shard  SMALLINT NOT NULL,
  n      BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (name, shard)
);

-- The counters a row of each table adds to (an empty array: none).
CREATE FUNCTION stat_keys_authorizer(status TEXT, needs_attention BOOLEAN) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN status = 'authorized' AND needs_attention
              THEN ARRAY['authorizers.' || status, 'authorizers.needs_attention']
              ELSE ARRAY['authorizers.' || status] END
$$;

CREATE FUNCTION stat_keys_token(kind TEXT, failures INTEGER) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN failures > 0 THEN ARRAY['tokens.failing.' || kind] ELSE ARRAY[]::TEXT[] END
$$;

CREATE FUNCTION stat_keys_delivery(status TEXT) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN status IN ('pending', 'failed') THEN ARRAY['webhooks.backlog']
              WHEN status = 'dead' THEN ARRAY['webhooks.dead']
              ELSE ARRAY[]::TEXT[] END
$$;

CREATE FUNCTION stat_keys_rollout(status TEXT) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN status IN ('running', 'paused', 'halted') THEN ARRAY['rollouts.' || status]
              ELSE ARRAY[]::TEXT[] END
$$;

-- Adds the deltas (name, d) of one statement; names in order, so that two statements lock the
-- rows of one shard in the same order.
CREATE FUNCTION stat_apply(names TEXT[], deltas BIGINT[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO stat_counters (name, shard, n)
  SELECT k, (pg_backend_pid() % 64)::smallint, sum(d)
  FROM unnest(names, deltas) AS x(k, d)
  GROUP BY k HAVING sum(d) <> 0
  ORDER BY k
  ON CONFLICT (name, shard) DO UPDATE SET n = stat_counters.n + EXCLUDED.n
$$;

CREATE FUNCTION stat_count_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  names TEXT[] := ARRAY[]::TEXT[];
  deltas BIGINT[] := ARRAY[]::BIGINT[];
  part_names TEXT[];
  part_deltas BIGINT[];
BEGIN
  -- TG_ARGV[0]: which keys function; old_rows / new_rows: the statement's transition tables.
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    EXECUTE format(
      'SELECT coalesce(array_agg(k), ARRAY[]::TEXT[]), coalesce(array_agg(-1::bigint), ARRAY[]::BIGINT[])
       FROM old_rows o, unnest(%s) AS k', TG_ARGV[0])
      INTO part_names, part_deltas;
    names := names || part_names;
    deltas := deltas || part_deltas;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    EXECUTE format(
      'SELECT coalesce(array_agg(k), ARRAY[]::TEXT[]), coalesce(array_agg(1::bigint), ARRAY[]::BIGINT[])
       FROM new_rows o, unnest(%s) AS k', TG_ARGV[0])
      INTO part_names, part_deltas;
    names := names || part_names;
    deltas := deltas || part_deltas;
  END IF;
  IF cardinality(names) > 0 THEN
    PERFORM stat_apply(names, deltas);
  END IF;
  RETURN NULL;
END
$$;

-- No row changes while the counts are seeded and the triggers created (this migration's
-- transaction holds the locks until it commits).
LOCK TABLE authorizers, tokens, webhook_deliveries, rollouts IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO stat_counters (name, shard, n)
SELECT k, 0, count(*) FROM (
  SELECT unnest(stat_keys_authorizer(status, needs_attention)) AS k FROM authorizers
  UNION ALL SELECT unnest(stat_keys_token(kind, failures)) FROM tokens
  UNION ALL SELECT unnest(stat_keys_delivery(status)) FROM webhook_deliveries
  UNION ALL SELECT unnest(stat_keys_rollout(status)) FROM rollouts
) x GROUP BY k;

CREATE TRIGGER authorizers_count_ins AFTER INSERT ON authorizers
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION stat_count_rows('stat_keys_authorizer(o.status, o.needs_attention)');
CREATE TRIGGER authorizers_count_upd AFTER UPDATE ON authorizers
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION stat_count_rows('stat_keys_authorizer(o.status, o.needs_attention)');
CREATE TRIGGER authorizers_count_del AFTER DELETE ON authorizers
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION stat_count_rows('stat_keys_authorizer(o.status, o.needs_attention)');

CREATE TRIGGER tokens_count_ins AFTER INSERT ON tokens
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION stat_count_rows('stat_keys_token(o.kind, o.failures)');
CREATE TRIGGER tokens_count_upd AFTER UPDATE ON tokens
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION stat_count_rows('stat_keys_token(o.kind, o.failures)');
CREATE TRIGGER tokens_count_del AFTER DELETE ON tokens
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION stat_count_rows('stat_keys_token(o.kind, o.failures)');

CREATE TRIGGER webhook_deliveries_count_ins AFTER INSERT ON webhook_deliveries
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION stat_count_rows('stat_keys_delivery(o.status)');
CREATE TRIGGER webhook_deliveries_count_upd AFTER UPDATE ON webhook_deliveries
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION stat_count_rows('stat_keys_delivery(o.status)');
CREATE TRIGGER webhook_deliveries_count_del AFTER DELETE ON webhook_deliveries
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION stat_count_rows('stat_keys_delivery(o.status)');

CREATE TRIGGER rollouts_count_ins AFTER INSERT ON rollouts
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION stat_count_rows('stat_keys_rollout(o.status)');
CREATE TRIGGER rollouts_count_upd AFTER UPDATE ON rollouts
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION stat_count_rows('stat_keys_rollout(o.status)');
CREATE TRIGGER rollouts_count_del AFTER DELETE ON rollouts
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION stat_count_rows('stat_keys_rollout(o.status)');

-- The overview lists the latest failing tokens: found through this index, not by reading all.
CREATE INDEX tokens_failing_idx ON tokens (last_error_at DESC NULLS LAST) WHERE failures > 0;
