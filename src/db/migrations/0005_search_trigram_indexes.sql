-- Substring search (ILIKE '%x%': the catalog's q, the admin order list's email) cannot use a
-- btree. Where the server offers pg_trgm (PostgreSQL), trigram GIN indexes serve it without
-- changing the query; where it does not (PGlite, the embedded default), this migration does
-- nothing and the same queries scan, which an embedded shop's size allows. Hand-written
-- (drizzle cannot declare an index that depends on an extension), so drizzle-kit's snapshot
-- does not list these indexes and never drops them.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm is not available: substring search will scan';
END
$$;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS products_name_trgm_idx ON products USING gin (name gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS products_description_trgm_idx ON products USING gin (description gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS products_sku_trgm_idx ON products USING gin (sku gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS orders_email_trgm_idx ON orders USING gin (email gin_trgm_ops);
  END IF;
END
$$;
