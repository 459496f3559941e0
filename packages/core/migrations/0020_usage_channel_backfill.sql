-- Usage by channel (ADR 0042): records written before usage_records.channel existed take
-- the channel of their answer's conversation while it still exists; those of deleted
-- conversations stay null (counted in totals, in no channel).
UPDATE "usage_records" AS u
SET "channel" = c."channel"
FROM "messages" AS m
JOIN "conversations" AS c ON c."id" = m."conversation_id"
WHERE m."id" = u."message_id" AND u."channel" IS NULL;
