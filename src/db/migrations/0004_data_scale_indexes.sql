DROP INDEX "orders_created_at_idx";--> statement-breakpoint
CREATE INDEX "products_public_name_idx" ON "products" USING btree ("name","id") WHERE "products"."active" and "products"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "products_public_price_idx" ON "products" USING btree ("price","id") WHERE "products"."active" and "products"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "products_public_created_idx" ON "products" USING btree ("created_at","id") WHERE "products"."active" and "products"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "orders_promo_code_idx" ON "orders" USING btree (lower("promo_code"),"created_at");--> statement-breakpoint
CREATE INDEX "orders_created_at_idx" ON "orders" USING btree ("created_at","number");