ALTER TABLE `lisa_periods` ADD `modules` text;--> statement-breakpoint
ALTER TABLE `lisa_periods` ADD `scores` text;