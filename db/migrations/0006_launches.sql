ALTER TABLE `runs` ADD `launches` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Runs from before: each attempt so far was a launch.
UPDATE `runs` SET `launches` = `attempts`;