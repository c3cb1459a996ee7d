CREATE TABLE `identity_version` (
	`id` integer PRIMARY KEY NOT NULL,
	`n` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO `identity_version` (`id`, `n`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `identity_version_identifier_insert` AFTER INSERT ON `profile_identifier`
BEGIN
	UPDATE `identity_version` SET `n` = `n` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `identity_version_identifier_update` AFTER UPDATE OF `profile_id`, `type`, `value`, `shared` ON `profile_identifier`
BEGIN
	UPDATE `identity_version` SET `n` = `n` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `identity_version_identifier_delete` AFTER DELETE ON `profile_identifier`
BEGIN
	UPDATE `identity_version` SET `n` = `n` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `identity_version_profile_names` AFTER UPDATE OF `first_name`, `last_name` ON `customer_profile`
BEGIN
	UPDATE `identity_version` SET `n` = `n` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `identity_version_profile_delete` AFTER DELETE ON `customer_profile`
BEGIN
	UPDATE `identity_version` SET `n` = `n` + 1 WHERE `id` = 1;
END;
