CREATE TABLE `profile_redirect` (
	`from_profile_id` integer PRIMARY KEY NOT NULL,
	`to_profile_id` integer NOT NULL,
	`merge_history_id` integer NOT NULL,
	FOREIGN KEY (`merge_history_id`) REFERENCES `merge_history`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `profile_separation` (
	`brand_id` integer NOT NULL,
	`profile_a` integer NOT NULL,
	`profile_b` integer NOT NULL,
	`evidence` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`brand_id`, `profile_a`, `profile_b`),
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `customer_raw_event` ADD `identifiers` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `customer_raw_event` ADD `unused_identifiers` text;--> statement-breakpoint
ALTER TABLE `customer_profile` ADD `search_name` text;--> statement-breakpoint
ALTER TABLE `customer_profile` ADD `search_last` text;--> statement-breakpoint
CREATE INDEX `customer_profile_brand_search_idx` ON `customer_profile` (`brand_id`,`search_name`);--> statement-breakpoint
CREATE INDEX `customer_profile_brand_search_last_idx` ON `customer_profile` (`brand_id`,`search_last`);--> statement-breakpoint
ALTER TABLE `profile_identifier` ADD `shared` integer DEFAULT false NOT NULL;