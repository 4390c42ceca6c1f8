/**
 * Whether a window is a Code Gym workspace, where the server should start on its own: a folder
 * with `.codegym/` (made by `codegym init` and by the server) in it or above it, or an open
 * document whose header names an exercise. Anywhere else the extension waits for an explicit
 * command. Pure: the file system is passed in.
 */

import * as path from 'node:path';

/** The folder of a workspace's own state (server/codegym/workspace.py STATE_DIR). */
export const STATE_DIR = '.codegym';
/** As the server reads a header (server/codegym/workspace.py MARKER, HEADER_SCAN_LINES). */
const MARKER = /^\s*(?:#|\/\/)\s*codegym:\s*exercise\s+([a-z0-9][a-z0-9-]{0,62})\s*$/;
const HEADER_SCAN_LINES = 80;

/** The exercise id a file's header names, if any. */
export function exerciseIdOf(text: string): string | undefined {
  return headerMarker(text)?.id;
}

/** A file's header marker: its line (0-based) and the exercise id it names, if any. */
export function headerMarker(text: string): { line: number; id: string } | undefined {
  for (const [line, value] of text.split('\n', HEADER_SCAN_LINES).entries()) {
    const match = MARKER.exec(value.replace(/\r$/, ''));
    if (match?.[1] !== undefined) {
      return { line, id: match[1] };
    }
  }
  return undefined;
}

/** True when `folder` or a folder above it holds `.codegym/`. */
export function isGymFolder(folder: string, isDirectory: (file: string) => boolean): boolean {
  for (let current = path.resolve(folder); ; current = path.dirname(current)) {
    if (isDirectory(path.join(current, STATE_DIR))) {
      return true;
    }
    if (path.dirname(current) === current) {
      return false;
    }
  }
}

export interface WindowFacts {
  folders: readonly string[];
  /** The texts of the open Python and JavaScript documents. */
  documents: readonly string[];
}

export function isGymWorkspace(facts: WindowFacts, isDirectory: (file: string) => boolean): boolean {
  return (
    facts.folders.some((folder) => isGymFolder(folder, isDirectory)) ||
    facts.documents.some((text) => exerciseIdOf(text) !== undefined)
  );
}
