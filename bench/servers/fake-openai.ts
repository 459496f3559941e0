/**
 * The fake OpenAI-compatible model server (`startFakeOpenAI` from @atrium/core/test) in
 * its own process, so that its timing shares nothing with the Atrium server or the load
 * generator but the machine. The behaviour comes from BENCH_FAKE_BEHAVIOR (JSON, a
 * `FakeOpenAIBehavior`). IPC commands: `bodies` (the completion request bodies received
 * since the last call, then forgotten), `setBehavior`, `stats`.
 */
import { startFakeOpenAI, type FakeChatCompletionBody, type FakeOpenAIBehavior } from '@atrium/core/test';
import { FAKE_API_KEY, FAKE_MODEL, serveIpc } from '../lib/ipc.js';

const behavior = JSON.parse(process.env.BENCH_FAKE_BEHAVIOR ?? '{"type":"answer"}') as FakeOpenAIBehavior;
const fake = await startFakeOpenAI({ apiKey: FAKE_API_KEY, behavior, models: [FAKE_MODEL] });
let served = 0;

serveIpc(
  { url: fake.url, pid: process.pid },
  {
    bodies: () => {
      const bodies = fake.requests.filter((r) => r.path.startsWith('/v1/chat/completions')).map((r) => r.body as FakeChatCompletionBody);
      served += fake.requests.length;
      fake.requests.length = 0;
      return bodies;
    },
    setBehavior: (next) => {
      fake.setBehavior(next as FakeOpenAIBehavior);
      return true;
    },
    stats: () => ({ requests: served + fake.requests.length, aborted: fake.aborted }),
  },
);
