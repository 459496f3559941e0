CREATE TABLE "assistant_widgets" (
	"assistant_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"enabled" boolean NOT NULL,
	"allowed_origins" text[] NOT NULL,
	"greeting" text,
	"starter_prompts" text[] NOT NULL,
	"theme" jsonb NOT NULL,
	"messages_per_minute" integer NOT NULL,
	"messages_per_day" integer NOT NULL,
	"identity_required" boolean NOT NULL,
	"public_key" text NOT NULL,
	"identity_secret" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "assistant_widgets" ADD CONSTRAINT "assistant_widgets_assistant_id_assistants_id_fk" FOREIGN KEY ("assistant_id") REFERENCES "public"."assistants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assistant_widgets" ADD CONSTRAINT "assistant_widgets_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "assistant_widgets_public_key_idx" ON "assistant_widgets" USING btree ("public_key");