ALTER TABLE `predictions` ADD `still_active` real;--> statement-breakpoint
ALTER TABLE `predictions` ADD `purchase_30d` real;--> statement-breakpoint
ALTER TABLE `predictions` ADD `purchase_90d` real;--> statement-breakpoint
ALTER TABLE `predictions` ADD `expected_purchases` real;--> statement-breakpoint
ALTER TABLE `predictions` ADD `next_purchase_at` integer;