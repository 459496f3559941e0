import { AtriumError } from './errors.js';

/** Bytes a document upload accepts as they are. */
export type Uploadable = Blob | Uint8Array | ArrayBuffer;

/** What `toFile` turns into a File: bytes, a web stream, or any async iterable of chunks (a Node stream). */
export type ToFileInput = Uploadable | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>;

const isAsyncIterable = (value: unknown): value is AsyncIterable<Uint8Array | string> =>
  value != null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';

/**
 * A File from buffers, Blobs, web streams or Node streams (`fs.createReadStream`), for
 * `documents.create`. Reads the whole stream: uploads are sent with a known length.
 */
export const toFile = async (value: ToFileInput, filename: string, options: { type?: string } = {}): Promise<File> => {
  let parts: BlobPart[];
  if (value instanceof Blob || value instanceof ArrayBuffer) parts = [value];
  else if (value instanceof Uint8Array) parts = [value as Uint8Array<ArrayBuffer>];
  // Before the async-iterable test: some runtimes' ReadableStreams are async iterable, others not.
  else if (value instanceof ReadableStream) parts = [await new Response(value).arrayBuffer()];
  else if (isAsyncIterable(value)) {
    parts = [];
    for await (const chunk of value) parts.push(chunk as BlobPart);
  } else throw new AtriumError('toFile() takes a Blob, bytes, a ReadableStream or an async iterable of chunks');
  const type = options.type ?? (value instanceof Blob ? value.type : '');
  return new File(parts, filename, { type });
};

/** The multipart body of an upload. Bytes need a `filename`; a Blob falls back to its own name. */
export const uploadForm = (file: Uploadable, filename: string | undefined, title: string | undefined): FormData => {
  if (!(file instanceof Blob) && !filename) throw new AtriumError('Uploading bytes needs a `filename`');
  const form = new FormData();
  const name = filename ?? (file instanceof File ? file.name : 'upload');
  form.append('file', file instanceof Blob ? file : new Blob([file as BlobPart]), name);
  if (title !== undefined) form.append('title', title);
  return form;
};
