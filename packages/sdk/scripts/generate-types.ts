import { writeFile } from 'node:fs/promises';
import { GENERATED_FILE, generateTypes } from './openapi.js';

await writeFile(GENERATED_FILE, await generateTypes());
console.log(`wrote ${GENERATED_FILE.pathname}`);
