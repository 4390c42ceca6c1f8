/** The extension's package.json contributions, and the `codegym` section VS Code builds from them. */

import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface Contribution {
  type: string | string[];
  default: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

/** The extension folder (tests run bundled from out/test/). */
export const EXTENSION_ROOT = path.resolve(__dirname, '..', '..');

const manifest = JSON.parse(readFileSync(path.join(EXTENSION_ROOT, 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Contribution> } };
};

export const PROPERTIES = manifest.contributes.configuration.properties;

/** The `codegym` section as VS Code hands it over: nested at the dots, defaults filled in. */
export function vscodeSection(values: Record<string, unknown> = {}): Record<string, unknown> {
  const section: Record<string, unknown> = {};
  for (const [key, contribution] of Object.entries(PROPERTIES)) {
    const parts = key.split('.').slice(1);
    let node = section;
    for (const part of parts.slice(0, -1)) {
      node = (node[part] ??= {}) as Record<string, unknown>;
    }
    node[parts.at(-1) ?? ''] = key in values ? values[key] : contribution.default;
  }
  return section;
}
