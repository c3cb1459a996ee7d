CREATE TABLE `message_delivery_update` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`provider` text NOT NULL,
	`provider_message_id` text NOT NULL,
	`status` text NOT NULL,
	`recipient` text,
	`errors` text,
	`occurred_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `message_delivery_update_uq` ON `message_delivery_update` (`provider`,`provider_message_id`,`status`);--> statement-breakpoint
CREATE TABLE `shopify_connection` (
	`brand_id` integer PRIMARY KEY NOT NULL,
	`shop_domain` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `shopify_connection_shop_domain_unique` ON `shopify_connection` (`shop_domain`);--> statement-breakpoint
CREATE TABLE `webhook_delivery` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`provider` text NOT NULL,
	`brand_id` integer,
	`topic` text,
	`delivery_key` text,
	`webhook_id` text,
	`outcome` text NOT NULL,
	`detail` text,
	`body` text,
	`received_at` integer NOT NULL,
	`triggered_at` integer,
	`event_count` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_delivery_key_uq` ON `webhook_delivery` (`provider`,`delivery_key`);--> statement-breakpoint
CREATE INDEX `webhook_delivery_webhook_id_idx` ON `webhook_delivery` (`provider`,`webhook_id`);--> statement-breakpoint
CREATE INDEX `webhook_delivery_received_idx` ON `webhook_delivery` (`received_at`);