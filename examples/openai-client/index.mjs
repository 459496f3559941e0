// Talks to an Atrium assistant through the official `openai` package, exactly as any
// OpenAI client would: it lists the models (the assistants this API key may use; a
// model id is an assistant id), then streams an answer with its sources.
//
//   ATRIUM_URL=http://localhost:3000 ATRIUM_API_KEY=atr_sk_... ATRIUM_ASSISTANT_ID=... \
//     node index.mjs "When do deployments happen?"
//
// See README.md next to this file, and docs/openai-compatible.md.
import OpenAI from 'openai';

const atriumUrl = (process.env.ATRIUM_URL || 'http://localhost:3000').replace(/\/+$/, '');
const apiKey = process.env.ATRIUM_API_KEY;
const question = process.argv.slice(2).join(' ').trim() || 'What can you help me with?';

if (!apiKey) {
  console.error('Set ATRIUM_API_KEY to an Atrium API key (atr_sk_...); see README.md.');
  process.exit(1);
}

// Atrium's OpenAI-compatible API lives under /v1 (not /api/v1).
const client = new OpenAI({ apiKey, baseURL: `${atriumUrl}/v1` });

try {
  // 1. The models: one per assistant this key may use.
  const models = [];
  for await (const model of client.models.list()) models.push(model);
  console.log(`Assistants this key may use (${models.length}):`);
  // `name` is an Atrium extension on the model object.
  for (const model of models) console.log(`  ${model.id}  ${model.name ?? ''}`);

  const assistantId = process.env.ATRIUM_ASSISTANT_ID || models[0]?.id;
  if (!assistantId) {
    console.error('This key may use no assistant: publish one, or set ATRIUM_ASSISTANT_ID.');
    process.exit(1);
  }

  // 2. A streamed answer. The assistant's instructions, knowledge and model apply; the
  //    usage chunk at the end comes because we ask for it.
  console.log(`\nQ: ${question}`);
  process.stdout.write('A: ');
  const stream = await client.chat.completions.create({
    model: assistantId,
    messages: [{ role: 'user', content: question }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let answer = '';
  let references = [];
  let usage;
  for await (const chunk of stream) {
    // Atrium extension: the first chunk carries the passages the answer may cite as [n].
    if (chunk.references) references = chunk.references;
    const text = chunk.choices[0]?.delta?.content;
    if (text) {
      answer += text;
      process.stdout.write(text);
    }
    if (chunk.usage) usage = chunk.usage;
  }
  process.stdout.write('\n');

  // The passages the answer cites as [n] (or [n, m]).
  const cited = new Set([...answer.matchAll(/\[(\d+(?:\s*,\s*\d+)*)\]/g)].flatMap((match) => match[1].split(',').map(Number)));
  const sources = references.filter((ref) => cited.has(ref.index));
  if (sources.length > 0) {
    console.log('\nSources:');
    for (const ref of sources) {
      const excerpt = ref.text.replace(/\s+/g, ' ').trim();
      console.log(`  [${ref.index}] ${ref.documentTitle}: ${excerpt.length > 80 ? `${excerpt.slice(0, 79)}…` : excerpt}`);
    }
  }
  if (usage) console.log(`\nTokens: ${usage.prompt_tokens} prompt, ${usage.completion_tokens} completion`);
} catch (error) {
  if (error instanceof OpenAI.APIConnectionError) {
    console.error(`\nCould not reach Atrium at ${atriumUrl}: is it running? (${error.message})`);
    process.exit(1);
  }
  if (error instanceof OpenAI.APIError) {
    // Atrium answers errors in OpenAI's format, so the client raises its usual errors.
    console.error(`\nAtrium refused the request (${error.code ?? error.type ?? 'error'}): ${error.message}`);
    process.exit(1);
  }
  throw error;
}
