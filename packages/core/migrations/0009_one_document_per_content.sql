-- One document per content in a collection (ADR 0025): before the unique index on
-- (collection_id, content_hash) of the documents that have not failed (migration 0010),
-- remove the duplicates that concurrent uploads could create. Per (collection, content)
-- the document kept is the ready one, else a queued or processing one; among equals the
-- oldest. The others hold the same bytes, so nothing is lost but their ids; their chunks
-- go with them (and the BM25 statistics with those, by the triggers of migration 0008).
-- Failed documents stay: they are a record, and do not count.
DELETE FROM documents d
USING (
  SELECT id, row_number() OVER (
    PARTITION BY collection_id, content_hash
    ORDER BY CASE status WHEN 'ready' THEN 0 ELSE 1 END, id
  ) AS n
  FROM documents
  WHERE status <> 'failed'
) ranked
WHERE d.id = ranked.id AND ranked.n > 1;
