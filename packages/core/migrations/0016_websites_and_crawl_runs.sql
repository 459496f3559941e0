CREATE TABLE "assistant_websites" (
	"assistant_id" uuid NOT NULL,
	"website_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "assistant_websites_pk" PRIMARY KEY("assistant_id","website_id")
);
--> statement-breakpoint
CREATE TABLE "crawl_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"website_id" uuid NOT NULL,
	"job_id" uuid,
	"status" text NOT NULL,
	"trigger" text NOT NULL,
	"progress" jsonb NOT NULL,
	"stats" jsonb NOT NULL,
	"error" text,
	"cancel_requested" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "crawl_runs_status_check" CHECK ("crawl_runs"."status" in ('queued', 'running', 'completed', 'failed', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "website_pages" (
	"website_id" uuid NOT NULL,
	"url" text NOT NULL,
	"tenant_id" uuid NOT NULL,
	"document_id" uuid,
	"etag" text,
	"last_modified" text,
	"bytes_hash" text,
	"links" text[] NOT NULL,
	"last_seen_run_id" uuid,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "website_pages_pk" PRIMARY KEY("website_id","url")
);
--> statement-breakpoint
CREATE TABLE "websites" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"space_id" uuid NOT NULL,
	"collection_id" uuid NOT NULL,
	"url" text NOT NULL,
	"mode" text NOT NULL,
	"max_pages" integer NOT NULL,
	"max_depth" integer NOT NULL,
	"include" text[] NOT NULL,
	"exclude" text[] NOT NULL,
	"schedule" text NOT NULL,
	"include_files" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "websites_mode_check" CHECK ("websites"."mode" in ('crawl', 'sitemap')),
	CONSTRAINT "websites_schedule_check" CHECK ("websites"."schedule" in ('never', 'daily', 'weekly'))
);
--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "metadata" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "assistant_websites" ADD CONSTRAINT "assistant_websites_assistant_id_assistants_id_fk" FOREIGN KEY ("assistant_id") REFERENCES "public"."assistants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assistant_websites" ADD CONSTRAINT "assistant_websites_website_id_websites_id_fk" FOREIGN KEY ("website_id") REFERENCES "public"."websites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assistant_websites" ADD CONSTRAINT "assistant_websites_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crawl_runs" ADD CONSTRAINT "crawl_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crawl_runs" ADD CONSTRAINT "crawl_runs_website_id_websites_id_fk" FOREIGN KEY ("website_id") REFERENCES "public"."websites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "website_pages" ADD CONSTRAINT "website_pages_website_id_websites_id_fk" FOREIGN KEY ("website_id") REFERENCES "public"."websites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "website_pages" ADD CONSTRAINT "website_pages_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "website_pages" ADD CONSTRAINT "website_pages_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "websites" ADD CONSTRAINT "websites_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "websites" ADD CONSTRAINT "websites_space_id_spaces_id_fk" FOREIGN KEY ("space_id") REFERENCES "public"."spaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "websites" ADD CONSTRAINT "websites_collection_id_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."collections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assistant_websites_website_idx" ON "assistant_websites" USING btree ("website_id");--> statement-breakpoint
CREATE INDEX "crawl_runs_website_idx" ON "crawl_runs" USING btree ("tenant_id","website_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "crawl_runs_one_active" ON "crawl_runs" USING btree ("website_id") WHERE "crawl_runs"."status" in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "website_pages_document_idx" ON "website_pages" USING btree ("document_id");--> statement-breakpoint
CREATE INDEX "websites_space_idx" ON "websites" USING btree ("tenant_id","space_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "websites_collection_unique" ON "websites" USING btree ("collection_id");--> statement-breakpoint
CREATE INDEX "websites_scheduled_idx" ON "websites" USING btree ("schedule") WHERE "websites"."schedule" <> 'never';