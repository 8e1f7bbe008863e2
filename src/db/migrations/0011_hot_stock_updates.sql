DROP INDEX "product_variants_low_stock_idx";--> statement-breakpoint
DROP INDEX "order_lines_variant_idx";