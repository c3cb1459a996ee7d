CREATE TABLE `profile_pending_totals` (
	`profile_id` integer PRIMARY KEY NOT NULL,
	`cents` integer NOT NULL,
	`orders` integer NOT NULL,
	`last_purchase_at` integer,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	FOREIGN KEY (`profile_id`) REFERENCES `customer_profile`(`id`) ON UPDATE no action ON DELETE cascade
);
