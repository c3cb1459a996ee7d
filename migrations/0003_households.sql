CREATE TABLE `shared_identifier_use` (
	`brand_id` integer NOT NULL,
	`type` text NOT NULL,
	`value` text NOT NULL,
	`profile_id` integer NOT NULL,
	`first_seen_at` integer NOT NULL,
	PRIMARY KEY(`brand_id`, `type`, `value`, `profile_id`),
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `shared_identifier_use_profile_idx` ON `shared_identifier_use` (`profile_id`);