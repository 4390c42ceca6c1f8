/**
 * The Progress view's model: the server's statistics (`codegym/stats`) → two Chart.js
 * configurations (solved per topic; runs per day by kind of error) and the top error patterns as
 * text. Colours are VS Code theme variables (`var(--vscode-charts-…)`), which the webview
 * resolves, so the charts follow the theme. Pure, and plain data: it is posted to the webview.
 */

import type { ChartConfiguration } from 'chart.js';

import type { Stats, StatsCourse, StatsDay, StatsPattern, StatsTopic } from './protocol';

export type BarChart = ChartConfiguration<'bar', number[], string>;

export interface ProgressModel {
  solved: number;
  total: number;
  /** One chart per course (with topics). */
  topics: BarChart[];
  /** null: no run yet. */
  timeline: BarChart | null;
  /** The patterns' sentences, most frequent first. */
  patterns: string[];
}

export const NO_STATS = 'This Code Gym server has no progress statistics; update it.';
export const NOT_RUNNING = 'The Code Gym server is not running.';

/** What the host posts to the Progress view. */
export type ProgressMessage = { type: 'progress'; model: ProgressModel } | { type: 'message'; text: string };

/** Days shown in the timeline, the latest ones. */
export const TIMELINE_DAYS = 30;
/** Error patterns with a colour of their own in the timeline; the rest are "other errors". */
export const TIMELINE_PATTERNS = 5;
export const TOP_PATTERNS = 5;

const PATTERN_COLORS = ['red', 'orange', 'yellow', 'purple', 'blue'].map(themeColor);

export function themeColor(name: string): string {
  return `var(--vscode-charts-${name})`;
}

export function progressModel(stats: Stats): ProgressModel {
  const topics = stats.courses.flatMap((course) => course.topics);
  return {
    solved: sum(topics.map((topic) => topic.solved)),
    total: sum(topics.map((topic) => topic.total)),
    topics: stats.courses.filter((course) => course.topics.length > 0).map(topicsChart),
    timeline: timelineChart(stats.timeline),
    patterns: [...stats.patterns]
      .sort((a, b) => b.count - a.count)
      .slice(0, TOP_PATTERNS)
      .map((pattern) => pattern.text),
  };
}

/** One horizontal bar per topic of a course, stacked: solved, attempted, new. */
function topicsChart(course: StatsCourse): BarChart {
  const series = (label: string, color: string, count: (topic: StatsTopic) => number) => ({
    label,
    data: course.topics.map(count),
    backgroundColor: themeColor(color),
  });
  const solved = sum(course.topics.map((topic) => topic.solved));
  const total = sum(course.topics.map((topic) => topic.total));
  return {
    type: 'bar',
    data: {
      labels: course.topics.map((topic) => topic.title),
      datasets: [
        series('solved', 'green', (topic) => topic.solved),
        series('attempted', 'yellow', (topic) => topic.attempted),
        series('new', 'lines', (topic) => topic.new),
      ],
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true, ticks: { autoSkip: false, crossAlign: 'far' } } },
      plugins: { title: { display: true, text: `${course.title}: ${String(solved)} of ${String(total)} solved` } },
    },
  };
}

/** One bar per day, stacked: the passing runs, then the failing runs by kind of error. */
function timelineChart(timeline: StatsDay[]): BarChart | null {
  const days = [...timeline].sort((a, b) => a.day.localeCompare(b.day)).slice(-TIMELINE_DAYS);
  if (days.every((day) => day.runs === 0)) {
    return null;
  }
  const totals = new Map<string, number>();
  for (const day of days) {
    for (const [key, count] of Object.entries(day.patterns)) {
      totals.set(key, (totals.get(key) ?? 0) + count);
    }
  }
  const keys = [...totals.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, TIMELINE_PATTERNS)
    .map(([key]) => key);
  const other = days.map((day) => Math.max(0, day.failing_runs - sum(keys.map((key) => day.patterns[key] ?? 0))));
  const datasets = [
    { label: 'passing runs', data: days.map((day) => Math.max(0, day.runs - day.failing_runs)), backgroundColor: themeColor('green') },
    ...keys.map((key, index) => ({
      label: key,
      data: days.map((day) => day.patterns[key] ?? 0),
      backgroundColor: PATTERN_COLORS[index % PATTERN_COLORS.length] ?? themeColor('red'),
    })),
  ];
  if (other.some((count) => count > 0)) {
    datasets.push({ label: 'other failures', data: other, backgroundColor: themeColor('lines') });
  }
  return {
    type: 'bar',
    data: { labels: days.map((day) => day.day.slice(5)), datasets },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } },
      plugins: { title: { display: true, text: 'Runs per day, failing ones by error' } },
    },
  };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

// ---------------------------------------------------------------------- reading the answer

/** The server's answer as `Stats`, leaving out what does not have the documented shape. */
export function parseStats(value: unknown): Stats | undefined {
  if (!isRecord(value) || !Array.isArray(value.courses)) {
    return undefined;
  }
  return {
    courses: value.courses.filter(isRecord).map(
      (course): StatsCourse => ({
        id: text(course.id),
        title: text(course.title),
        language: text(course.language),
        topics: (Array.isArray(course.topics) ? course.topics : []).filter(isRecord).map(
          (topic): StatsTopic => ({
            id: text(topic.id),
            title: text(topic.title),
            total: count(topic.total),
            solved: count(topic.solved),
            attempted: count(topic.attempted),
            new: count(topic.new),
            attempts_to_solve: typeof topic.attempts_to_solve === 'number' ? topic.attempts_to_solve : null,
            minutes_to_solve: typeof topic.minutes_to_solve === 'number' ? topic.minutes_to_solve : null,
            hints_used: count(topic.hints_used),
          }),
        ),
      }),
    ),
    patterns: (Array.isArray(value.patterns) ? value.patterns : [])
      .filter(isRecord)
      .filter((pattern) => typeof pattern.text === 'string' && pattern.text !== '')
      .map((pattern): StatsPattern => ({ key: text(pattern.key), count: count(pattern.count), window: count(pattern.window), text: text(pattern.text) })),
    timeline: (Array.isArray(value.timeline) ? value.timeline : [])
      .filter(isRecord)
      .filter((day) => typeof day.day === 'string')
      .map(
        (day): StatsDay => ({
          day: text(day.day),
          runs: count(day.runs),
          solved: count(day.solved),
          failing_runs: count(day.failing_runs),
          patterns: Object.fromEntries(Object.entries(isRecord(day.patterns) ? day.patterns : {}).map(([key, value]) => [key, count(value)])),
        }),
      ),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
