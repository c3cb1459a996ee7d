CREATE TABLE `scheduled_job` (
	`name` text PRIMARY KEY NOT NULL,
	`claimed_by` text,
	`claimed_at` integer,
	`expires_at` integer,
	`last_due_at` integer,
	`last_started_at` integer,
	`last_finished_at` integer,
	`last_result` text,
	`last_message` text
);
