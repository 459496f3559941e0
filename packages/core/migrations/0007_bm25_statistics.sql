CREATE TABLE "chunk_terms" (
	"collection_id" uuid NOT NULL,
	"lexeme" text NOT NULL,
	"chunk_id" uuid NOT NULL,
	"tf" integer NOT NULL,
	"chunk_length" integer NOT NULL,
	CONSTRAINT "chunk_terms_pkey" PRIMARY KEY("collection_id","lexeme","chunk_id")
);
--> statement-breakpoint
CREATE TABLE "collection_search_stats" (
	"collection_id" uuid PRIMARY KEY NOT NULL,
	"chunk_count" integer NOT NULL,
	"lexeme_count" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collection_term_stats" (
	"collection_id" uuid NOT NULL,
	"lexeme" text NOT NULL,
	"df" integer NOT NULL,
	CONSTRAINT "collection_term_stats_pkey" PRIMARY KEY("collection_id","lexeme")
);
--> statement-breakpoint
DROP INDEX "chunks_search_idx";--> statement-breakpoint
ALTER TABLE "collection_search_stats" ADD CONSTRAINT "collection_search_stats_collection_id_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."collections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_term_stats" ADD CONSTRAINT "collection_term_stats_collection_id_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."collections"("id") ON DELETE cascade ON UPDATE no action;