/**
 * VS Code's `codegym` configuration section → the server's `Settings` (server/codegym/config.py):
 * the initialization options, and the answer to the server's `workspace/configuration` pull.
 *
 * The contributed settings mirror the server's field names (`codegym.sandbox.limits.wall_s` →
 * `sandbox.limits.wall_s`); empty strings and nulls mean "the server's default" and are dropped,
 * so the server keeps its own defaults and environment variables.
 */

export type JsonValue = string | number | boolean | JsonValue[] | { [key: string]: JsonValue };
export type ServerSettings = { [key: string]: JsonValue };

/** Keys of the `codegym` section that configure the client itself, never sent to the server. */
const CLIENT_ONLY = new Set(['server', 'trace']);

/** Top-level VS Code names spelled differently in the server's Settings. */
const RENAMED: Readonly<Record<string, string>> = { contentDir: 'content_dir' };

export function toServerSettings(section: unknown): ServerSettings {
  const result: ServerSettings = {};
  if (!isRecord(section)) {
    return result;
  }
  for (const [key, value] of Object.entries(section)) {
    if (CLIENT_ONLY.has(key)) {
      continue;
    }
    const cleaned = clean(value);
    if (cleaned !== undefined) {
      result[RENAMED[key] ?? key] = cleaned;
    }
  }
  return result;
}

function clean(value: unknown): JsonValue | undefined {
  if (typeof value === 'string') {
    return value.trim() === '' ? undefined : value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map(clean).filter((item): item is JsonValue => item !== undefined);
  }
  if (isRecord(value)) {
    const entries = Object.entries(value)
      .map(([key, item]) => [key, clean(item)] as const)
      .filter((entry): entry is readonly [string, JsonValue] => entry[1] !== undefined);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  return undefined; // null, undefined, functions
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
