/**
 * DOCX → HTML with mammoth (which maps Word's heading styles to h1–h6 and keeps lists
 * and tables) → the shared HTML-to-blocks path. The archive is checked by zip-guard
 * before mammoth inflates anything.
 */
import mammoth from 'mammoth';
import type { ExtractedDocument } from '../../ports/ingestion.js';
import { corruptFile } from './extraction-errors.js';
import { htmlFragmentToBlocks } from './html.js';
import { assertZipDirectoryIsSafe, readZipDirectory, verifyInflatedSizes } from './zip-guard.js';

export async function extractDocx(bytes: Uint8Array): Promise<ExtractedDocument> {
  assertZipDirectoryIsSafe(await readZipDirectory(bytes));
  await verifyInflatedSizes(bytes);
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      // Images would be inlined as base64 data URIs: memory spent on bytes we cannot index.
      { convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })) },
    );
    html = result.value;
  } catch {
    throw corruptFile('docx');
  }
  const { title, blocks } = htmlFragmentToBlocks(html);
  return title ? { format: 'docx', title, blocks } : { format: 'docx', blocks };
}
