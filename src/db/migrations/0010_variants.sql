CREATE TABLE "product_variants" (
	"id" text PRIMARY KEY NOT NULL,
	"product_id" text NOT NULL,
	"sku" text NOT NULL,
	"title" text NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"price" integer NOT NULL,
	"stock" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"image_id" text,
	"position" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "product_variants_price_check" CHECK ("product_variants"."price" >= 0),
	CONSTRAINT "product_variants_stock_check" CHECK ("product_variants"."stock" >= 0)
);
--> statement-breakpoint
ALTER TABLE "products" DROP CONSTRAINT "products_stock_check";--> statement-breakpoint
ALTER TABLE "stock_movements" DROP CONSTRAINT "stock_movements_product_id_products_id_fk";
--> statement-breakpoint
DROP INDEX "products_low_stock_idx";--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "options" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "stock_movements" ADD COLUMN "variant_id" text;--> statement-breakpoint
ALTER TABLE "order_lines" ADD COLUMN "variant_id" text;--> statement-breakpoint
ALTER TABLE "order_lines" ADD COLUMN "variant_title" text;--> statement-breakpoint
ALTER TABLE "product_variants" ADD CONSTRAINT "product_variants_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_variants" ADD CONSTRAINT "product_variants_image_id_product_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."product_images"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "product_variants_sku_key" ON "product_variants" USING btree (lower("sku"));--> statement-breakpoint
CREATE UNIQUE INDEX "product_variants_options_key" ON "product_variants" USING btree ("product_id","options");--> statement-breakpoint
CREATE INDEX "product_variants_product_idx" ON "product_variants" USING btree ("product_id","position");--> statement-breakpoint
CREATE INDEX "product_variants_low_stock_idx" ON "product_variants" USING btree ("stock") WHERE "product_variants"."active";--> statement-breakpoint
ALTER TABLE "stock_movements" ADD CONSTRAINT "stock_movements_variant_id_product_variants_id_fk" FOREIGN KEY ("variant_id") REFERENCES "public"."product_variants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stock_movements_variant_idx" ON "stock_movements" USING btree ("variant_id","seq");--> statement-breakpoint
CREATE INDEX "order_lines_variant_idx" ON "order_lines" USING btree ("variant_id");--> statement-breakpoint
-- Every product becomes a one-variant product: its variant has the product's sku, price and
-- stock, no options and an empty title, and an id made from the product's (prd_X → var_X),
-- so variants sort as their products did.
INSERT INTO "product_variants" ("id", "product_id", "sku", "title", "options", "price", "stock", "active", "position", "created_at", "updated_at")
  SELECT 'var_' || substr("id", 5), "id", "sku", '', '{}'::jsonb, "price", "stock", true, 0, "created_at", "updated_at"
    FROM "products";--> statement-breakpoint
-- The ledger is the variant's now: each product's movements are its one variant's, so they still sum to its stock.
UPDATE "stock_movements" SET "variant_id" = v."id"
  FROM "product_variants" v WHERE v."product_id" = "stock_movements"."product_id";--> statement-breakpoint
-- Old order lines name the one variant their product had, with its (empty) title.
UPDATE "order_lines" SET "variant_id" = v."id", "variant_title" = v."title"
  FROM "product_variants" v WHERE v."product_id" = "order_lines"."product_id";--> statement-breakpoint
-- Units a pending refund will restock name their product's one variant too.
UPDATE "refunds" SET "restock_lines" = (
    SELECT jsonb_agg(line || jsonb_build_object('variantId', v."id") ORDER BY n)
      FROM jsonb_array_elements("refunds"."restock_lines") WITH ORDINALITY AS e(line, n)
      JOIN "product_variants" v ON v."product_id" = line->>'productId')
  WHERE jsonb_array_length("restock_lines") > 0;--> statement-breakpoint
ALTER TABLE "stock_movements" ALTER COLUMN "variant_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "order_lines" ALTER COLUMN "variant_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "order_lines" ALTER COLUMN "variant_title" SET NOT NULL;--> statement-breakpoint
-- A product's stock is its variants' sum from now on, read with them (docs/adr/0007-variants.md).
ALTER TABLE "products" DROP COLUMN "stock";
