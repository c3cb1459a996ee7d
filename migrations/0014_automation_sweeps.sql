ALTER TABLE `marketing_automation` ADD `arm_pending` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `marketing_automation` ADD `scores_pending` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `marketing_automation` ADD `swept_at` integer;--> statement-breakpoint
ALTER TABLE `predictions` ADD `prev_churn_score` real;--> statement-breakpoint
ALTER TABLE `predictions` ADD `prev_segment` text;--> statement-breakpoint
CREATE INDEX `automation_call_execution_idx` ON `automation_call` (`execution_id`);--> statement-breakpoint
CREATE INDEX `automation_decision_execution_idx` ON `automation_decision` (`execution_id`);--> statement-breakpoint
CREATE INDEX `automation_execution_automation_idx` ON `automation_execution` (`automation_id`,`status`);--> statement-breakpoint
CREATE INDEX `message_outbox_execution_idx` ON `message_outbox` (`execution_id`);