ALTER TABLE `runs` ADD `eval_records` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `eval_hash` text;