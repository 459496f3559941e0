ALTER TABLE "chunks" ADD COLUMN "language" text DEFAULT 'english' NOT NULL;--> statement-breakpoint
ALTER TABLE "collections" ADD COLUMN "language" text DEFAULT 'english' NOT NULL;