CREATE TABLE `checkout_state` (
	`brand_id` integer NOT NULL,
	`token` text NOT NULL,
	`identifiers` text NOT NULL,
	`total` real,
	`currency` text,
	`items` text DEFAULT '[]' NOT NULL,
	`checkout_url` text,
	`started_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`completed_at` integer,
	`deleted_at` integer,
	`abandoned_at` integer,
	PRIMARY KEY(`brand_id`, `token`),
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `checkout_state_open_idx` ON `checkout_state` (`abandoned_at`,`completed_at`,`deleted_at`,`updated_at`);--> statement-breakpoint
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
CREATE TABLE `privacy_request` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`kind` text NOT NULL,
	`requested_by` text NOT NULL,
	`profiles_affected` integer DEFAULT 0 NOT NULL,
	`events_affected` integer DEFAULT 0 NOT NULL,
	`export_path` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
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