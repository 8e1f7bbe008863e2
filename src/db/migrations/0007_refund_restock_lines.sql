ALTER TABLE "order_lines" ADD COLUMN "restocked_quantity" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "restock_lines" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "order_lines" ADD CONSTRAINT "order_lines_restocked_check" CHECK ("order_lines"."restocked_quantity" >= 0 and "order_lines"."restocked_quantity" <= "order_lines"."quantity");--> statement-breakpoint
-- Goods of an order restocked before lines counted their units came back whole: each line in full.
UPDATE "order_lines" SET "restocked_quantity" = "quantity" WHERE "order_id" IN (SELECT "id" FROM "orders" WHERE "restocked_at" IS NOT NULL);
