// The @atrium/sdk journey: a space, a collection, a file upload, the wait for ingestion,
// an assistant, and a streamed answer with its sources. See README.md.
import { createReadStream } from 'node:fs';
import { Atrium, AtriumError, toFile } from '@atrium/sdk';

const question = process.argv.slice(2).join(' ') || 'How long do refunds take?';

// apiKey and baseURL default to ATRIUM_API_KEY and ATRIUM_BASE_URL.
const atrium = new Atrium();

try {
  const space = await atrium.spaces.create({ name: 'SDK example' });
  const kb = await atrium.collections.create(space.id, { name: 'Handbook' });

  const file = await toFile(createReadStream(new URL('handbook.md', import.meta.url)), 'handbook.md', { type: 'text/markdown' });
  const { document } = await atrium.documents.create(kb.id, { file, title: 'Customer handbook' });
  console.log(`Uploaded ${document.title}; waiting for it to be ready...`);
  const ready = await atrium.documents.waitUntilReady(document.id, { pollInterval: 250 });
  console.log(`Ready: ${ready.chunkCount} chunks.`);

  const assistant = await atrium.assistants.create(space.id, { name: 'Handbook helper', collectionIds: [kb.id] });
  console.log(`Q: ${question}`);
  process.stdout.write('A: ');
  const stream = await atrium.assistants.chat(assistant.id, { message: question });
  for await (const event of stream) {
    if (event.type === 'delta') process.stdout.write(event.text);
  }
  const answer = await stream.finalMessage();
  console.log('\nSources:');
  for (const ref of answer.references) console.log(`  [${ref.index}] ${ref.documentTitle}: ${ref.text.replace(/\s+/g, ' ').slice(0, 60)}...`);
  if (answer.usage) console.log(`Tokens: ${answer.usage.promptTokens} prompt, ${answer.usage.completionTokens} completion`);
} catch (error) {
  // One line, the code and the request id: what a support ticket needs.
  if (error instanceof AtriumError) {
    console.error(`${error.name}: ${error.message}${error.code ? ` (${error.code})` : ''}${error.requestId ? ` [${error.requestId}]` : ''}`);
    process.exit(1);
  }
  throw error;
}
