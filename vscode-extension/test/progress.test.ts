/** The Progress view's model: `codegym/stats` answers → Chart.js configurations and sentences. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseStats, progressModel, themeColor, TIMELINE_DAYS, TIMELINE_PATTERNS } from '../src/progressChart';
import type { Stats, StatsDay } from '../src/protocol';

const topic = (id: string, title: string, solved: number, attempted: number, fresh: number) => ({
  id,
  title,
  total: solved + attempted + fresh,
  solved,
  attempted,
  new: fresh,
  attempts_to_solve: solved > 0 ? 2.5 : null,
  minutes_to_solve: solved > 0 ? 7 : null,
  hints_used: 1,
});

/** The shape `codegym/stats` answers with (docs/lsp.md). */
const STATS: Stats = {
  courses: [
    { id: 'python', title: 'Python', language: 'python', topics: [topic('py-basics', 'Basics and functions', 3, 1, 2), topic('py-strings', 'Strings', 0, 2, 4)] },
    { id: 'javascript', title: 'JavaScript', language: 'javascript', topics: [topic('js-basics', 'Basics', 1, 0, 5)] },
  ],
  patterns: [
    { key: 'TypeError', count: 2, window: 10, text: 'TypeError in 2 of your last 10 failing runs' },
    { key: 'IndexError', count: 4, window: 10, text: 'IndexError in 4 of your last 10 failing runs' },
  ],
  timeline: [
    { day: '2026-12-07', runs: 12, solved: 3, failing_runs: 5, patterns: { IndexError: 2, TypeError: 1 } },
    { day: '2026-12-05', runs: 4, solved: 1, failing_runs: 3, patterns: { IndexError: 3 } },
  ],
};

describe('the progress model', () => {
  it('stacks solved, attempted and new per topic, a chart per course', () => {
    const model = progressModel(STATS);
    assert.equal(model.solved, 4);
    assert.equal(model.total, 18);
    assert.equal(model.topics.length, 2);
    const [python, javascript] = model.topics;
    assert.ok(python && javascript);
    assert.equal(python.type, 'bar');
    assert.equal(python.options?.indexAxis, 'y');
    assert.equal(python.options?.plugins?.title?.text, 'Python: 3 of 12 solved');
    assert.deepEqual(python.data.labels, ['Basics and functions', 'Strings']);
    assert.deepEqual(
      python.data.datasets.map((set) => [set.label, set.data, set.backgroundColor]),
      [
        ['solved', [3, 0], 'var(--vscode-charts-green)'],
        ['attempted', [1, 2], 'var(--vscode-charts-yellow)'],
        ['new', [2, 4], 'var(--vscode-charts-lines)'],
      ],
    );
    assert.deepEqual(javascript.data.labels, ['Basics']);
    assert.equal(javascript.options?.plugins?.title?.text, 'JavaScript: 1 of 6 solved');
  });

  it('shows the runs per day, in order: the passing ones, then the failing ones by error', () => {
    const chart = progressModel(STATS).timeline;
    assert.ok(chart);
    assert.deepEqual(chart.data.labels, ['12-05', '12-07']);
    assert.deepEqual(
      chart.data.datasets.map((set) => [set.label, set.data]),
      [
        ['passing runs', [1, 7]],
        ['IndexError', [3, 2]],
        ['TypeError', [0, 1]],
        ['other failures', [0, 2]], // 5 failing runs on the 7th, 3 of them with a pattern
      ],
    );
    assert.equal(chart.options?.scales?.y?.stacked, true);
  });

  it('keeps the most frequent errors apart and the latest days', () => {
    const patterns = Object.fromEntries(Array.from({ length: TIMELINE_PATTERNS + 2 }, (_, index) => [`E${String(index)}`, index + 1]));
    const failing = Object.values(patterns).reduce((total, count) => total + count, 0);
    const days: StatsDay[] = Array.from({ length: TIMELINE_DAYS + 3 }, (_, index) => ({
      day: `2026-${String(10 + Math.floor(index / 28)).padStart(2, '0')}-${String((index % 28) + 1).padStart(2, '0')}`,
      runs: failing,
      solved: 0,
      failing_runs: failing,
      patterns,
    }));
    const chart = progressModel({ ...STATS, timeline: days }).timeline;
    assert.ok(chart);
    assert.equal(chart.data.labels?.length, TIMELINE_DAYS);
    assert.equal(chart.data.labels?.[0], days[3]?.day.slice(5));
    const labels = chart.data.datasets.map((set) => set.label);
    assert.deepEqual(labels, ['passing runs', 'E6', 'E5', 'E4', 'E3', 'E2', 'other failures']);
    assert.deepEqual(chart.data.datasets.at(-1)?.data.slice(0, 1), [1 + 2]); // E0 and E1
    assert.equal(new Set(chart.data.datasets.map((set) => set.backgroundColor)).size, labels.length, 'a colour each');
  });

  it('lists the top patterns as the server words them, most frequent first', () => {
    assert.deepEqual(progressModel(STATS).patterns, ['IndexError in 4 of your last 10 failing runs', 'TypeError in 2 of your last 10 failing runs']);
  });

  it('has no charts for a learner with nothing yet', () => {
    const model = progressModel({ courses: [], patterns: [], timeline: [{ day: '2026-12-07', runs: 0, solved: 0, failing_runs: 0, patterns: {} }] });
    assert.deepEqual(model, { solved: 0, total: 0, topics: [], timeline: null, patterns: [] });
  });

  it('is plain data, as posted to the webview', () => {
    const model = progressModel(STATS);
    assert.deepEqual(JSON.parse(JSON.stringify(model)), model);
    assert.equal(themeColor('red'), 'var(--vscode-charts-red)');
  });
});

describe('reading the stats answer', () => {
  it('reads the documented shape as it is', () => {
    assert.deepEqual(parseStats(JSON.parse(JSON.stringify(STATS))), STATS);
  });

  it('is not statistics when it is not an object with courses', () => {
    for (const answer of [null, undefined, [], 'stats', { patterns: [] }]) {
      assert.equal(parseStats(answer), undefined, JSON.stringify(answer));
    }
  });

  it('leaves out what does not have the shape instead of failing', () => {
    const parsed = parseStats({
      courses: [7, { id: 'py', title: 'Python', topics: [{ id: 't', title: 'T', total: '3', solved: -1, attempted: 1, new: 2 }] }],
      patterns: [{ key: 'X', count: 1 }, { key: 'Y', count: 2, window: 10, text: 'Y twice' }],
      timeline: [{ runs: 3 }, { day: '2026-12-07', runs: 3, failing_runs: 1, patterns: { X: 'many', Y: 1 } }],
    });
    assert.deepEqual(parsed?.courses[0]?.topics[0], {
      id: 't', title: 'T', total: 0, solved: 0, attempted: 1, new: 2, attempts_to_solve: null, minutes_to_solve: null, hints_used: 0,
    });
    assert.equal(parsed?.courses.length, 1);
    assert.deepEqual(parsed?.patterns.map((pattern) => pattern.text), ['Y twice']);
    assert.deepEqual(parsed?.timeline, [{ day: '2026-12-07', runs: 3, solved: 0, failing_runs: 1, patterns: { X: 0, Y: 1 } }]);
  });
});
