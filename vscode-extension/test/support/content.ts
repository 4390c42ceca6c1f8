/** The repository's course content, as the tests need it: an exercise's reference solution. */

import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { EXTENSION_ROOT } from './manifest';

const CONTENT = path.resolve(EXTENSION_ROOT, '..', 'content');

/** The `solution: |` block of an exercise's YAML (`content/<language>/<topic>/<exercise>.yaml`). */
export function referenceSolution(language: string, topic: string, exercise: string): string {
  const yamlFile = path.join(CONTENT, language, topic, `${exercise}.yaml`);
  const lines = readFileSync(yamlFile, 'utf8').split('\n');
  const start = lines.indexOf('solution: |') + 1;
  if (start === 0) {
    throw new Error(`no "solution: |" in ${yamlFile}`);
  }
  const end = lines.findIndex((line, index) => index >= start && line !== '' && !line.startsWith('  '));
  return lines.slice(start, end === -1 ? undefined : end).map((line) => line.slice(2)).join('\n');
}

/** An exercise file's header: the comment block before the starter code. */
export function exerciseHeader(fileText: string): string {
  return fileText.slice(0, fileText.indexOf('\n\n'));
}

/** How many exercises the bundled catalog lists (its `file:` entries in `content/config.yaml`). */
export const BUNDLED_EXERCISES = readFileSync(path.join(CONTENT, 'config.yaml'), 'utf8')
  .split('\n')
  .filter((line) => /^\s+file:\s/.test(line)).length;
