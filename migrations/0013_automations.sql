ALTER TABLE `marketing_automation` ADD `definition` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `marketing_automation` ADD `recipe` text;--> statement-breakpoint
ALTER TABLE `marketing_automation` ADD `priority` integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE `marketing_automation` ADD `armed_at` integer;--> statement-breakpoint
ALTER TABLE `marketing_automation` ADD `last_run_at` integer;