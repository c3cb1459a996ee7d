CREATE TABLE `import_chunk` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` integer NOT NULL,
	`events_after` integer NOT NULL,
	`events_last` integer NOT NULL,
	`profiles_after` integer NOT NULL,
	`profiles_last` integer NOT NULL,
	`identifiers_after` integer NOT NULL,
	`identifiers_last` integer NOT NULL,
	`merges_after` integer NOT NULL,
	`merges_last` integer NOT NULL,
	`reviews_after` integer NOT NULL,
	`reviews_last` integer NOT NULL,
	`consents_after` integer NOT NULL,
	`consents_last` integer NOT NULL,
	`shared_marked` text,
	FOREIGN KEY (`job_id`) REFERENCES `import_job`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `import_chunk_job_idx` ON `import_chunk` (`job_id`);--> statement-breakpoint
ALTER TABLE `import_job` ADD `status_before_removal` text;--> statement-breakpoint
ALTER TABLE `import_job` ADD `removal_started_at` integer;--> statement-breakpoint
ALTER TABLE `import_job` ADD `removed_at` integer;--> statement-breakpoint
ALTER TABLE `import_job` ADD `removed_events` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `import_job` ADD `removed_profiles` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `import_job` ADD `undone_merges` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `import_job` ADD `kept_profiles` integer DEFAULT 0 NOT NULL;