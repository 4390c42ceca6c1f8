import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { toServerSettings } from '../src/settings';
import { PROPERTIES, vscodeSection } from './support/manifest';

describe('settings → server Settings', () => {
  it('sends only what differs from "the server decides": nothing client-side, no nulls or empty strings', () => {
    assert.deepEqual(toServerSettings(vscodeSection()), { sandbox: { backend: 'auto' }, tutor: { enabled: true } });
  });

  it('maps VS Code names to the server shape', () => {
    const settings = toServerSettings(
      vscodeSection({
        'codegym.contentDir': '/courses',
        'codegym.parallelism': 3,
        'codegym.sandbox.backend': 'local',
        'codegym.sandbox.limits.wall_s': 20,
        'codegym.sandbox.limits.memory_mb': 512,
        'codegym.sandbox.docker.host': 'tcp://lab:2375',
        'codegym.tutor.enabled': false,
        'codegym.tutor.host': 'http://lab:11434',
        'codegym.tutor.model': 'qwen2.5-coder:14b',
        'codegym.server.command': ['/v/bin/codegym', 'serve'],
        'codegym.trace.server': 'verbose',
      }),
    );
    assert.deepEqual(settings, {
      content_dir: '/courses',
      parallelism: 3,
      sandbox: { backend: 'local', limits: { wall_s: 20, memory_mb: 512 }, docker: { host: 'tcp://lab:2375' } },
      tutor: { enabled: false, host: 'http://lab:11434', model: 'qwen2.5-coder:14b' },
    });
  });

  it('ignores what is not a settings object', () => {
    assert.deepEqual(toServerSettings(undefined), {});
    assert.deepEqual(toServerSettings(null), {});
    assert.deepEqual(toServerSettings([1]), {});
    assert.deepEqual(toServerSettings({ tutor: { host: '  ', has: () => true } }), {});
  });

  it('contributes every setting under a server field name, or as client-only', () => {
    for (const key of Object.keys(PROPERTIES)) {
      assert.match(key, /^codegym\.(?:server\.(?:command|python)|trace\.server|contentDir|[a-z_]+(?:\.[a-z_]+)*)$/, key);
    }
  });
});
