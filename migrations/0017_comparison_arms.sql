ALTER TABLE `automation_execution` ADD `arm` text;--> statement-breakpoint
ALTER TABLE `automation_execution` ADD `arm_at` integer;--> statement-breakpoint
ALTER TABLE `automation_execution` ADD `churn_at` real;--> statement-breakpoint
ALTER TABLE `automation_execution` ADD `value_at` real;