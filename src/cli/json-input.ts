/** Reads the JSON document of a `--file` flag: a file relative to the working directory, or stdin for `-`. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { KairosError, type ErrorCode } from '../core/errors.js';

/**
 * The parsed document. A missing file or text that is not JSON is a KairosError with `code` (an input code, so
 * exit 3) and field `file`.
 */
export async function readJsonInput(file: string, code: ErrorCode, readStdin: () => Promise<string>): Promise<unknown> {
  const source = file === '-' ? 'stdin' : resolve(file);
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(source, 'utf8');
  } catch (cause) {
    throw new KairosError(code, `file: cannot read ${source}: ${(cause as Error).message}`, { details: { field: 'file' }, cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new KairosError(code, `file: ${source} is not valid JSON (${(cause as Error).message})`, { details: { field: 'file' }, cause });
  }
}
