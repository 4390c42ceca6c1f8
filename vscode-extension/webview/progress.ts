/// <reference lib="dom" />
/**
 * The Progress view's script, in the webview (bundled with Chart.js into dist/webview/progress.js
 * by scripts/build.mjs): draws what the host posts (`progressChart.ts`'s model) or its message.
 * The server's words go in as text, never as HTML; the theme's colours are read from VS Code's
 * CSS variables at each drawing, and again when the theme changes.
 */

import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Title, Tooltip } from 'chart.js';

import type { BarChart, ProgressMessage } from '../src/progressChart';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Title, Tooltip);

const vscode = acquireVsCodeApi();
const root = document.getElementById('root') as HTMLElement;
const charts: Chart[] = [];
let last: ProgressMessage | undefined;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, text = ''): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    made.setAttribute(name, value);
  }
  made.textContent = text;
  return made;
}

/** `var(--name)` → the theme's value of it. */
function resolve(color: unknown, fallback = '#888888'): string {
  const match = typeof color === 'string' ? /^var\((--[\w-]+)\)$/.exec(color) : null;
  if (match === null) {
    return typeof color === 'string' ? color : fallback;
  }
  const value = getComputedStyle(document.documentElement).getPropertyValue(match[1] ?? '').trim();
  return value === '' ? fallback : value;
}

function chart(kind: string, config: BarChart, height: number): HTMLElement {
  const box = element('div', { class: 'chart' });
  box.style.height = `${String(height)}px`;
  const canvas = element('canvas', { class: kind, role: 'img', 'aria-label': String(config.options?.plugins?.title?.text ?? '') });
  box.append(canvas);
  const themed: BarChart = {
    ...config,
    data: { ...config.data, datasets: config.data.datasets.map((set) => ({ ...set, backgroundColor: resolve(set.backgroundColor) })) },
  };
  // Drawn once the box is in the page, so it has a size; marked drawn for the end-to-end test.
  queueMicrotask(() => {
    charts.push(new Chart(canvas, themed));
    canvas.dataset.drawn = 'true';
  });
  return box;
}

function draw(message: ProgressMessage): void {
  last = message;
  charts.splice(0).forEach((made) => {
    made.destroy();
  });
  Chart.defaults.color = resolve('var(--vscode-foreground)');
  Chart.defaults.borderColor = resolve('var(--vscode-widget-border)', 'rgba(128, 128, 128, 0.3)');
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  const parts: HTMLElement[] = [];
  if (message.type === 'message') {
    parts.push(element('p', { class: 'empty', id: 'message' }, message.text));
  } else {
    const { model } = message;
    parts.push(element('p', { class: 'meta', id: 'summary' }, `${String(model.solved)} of ${String(model.total)} exercises solved`));
    for (const topics of model.topics) {
      parts.push(chart('topics-chart', topics, 72 + 24 * (topics.data.labels?.length ?? 0)));
    }
    parts.push(element('h2', {}, 'Your frequent errors'));
    const list = element('ul', { id: 'patterns' });
    for (const pattern of model.patterns) {
      list.append(element('li', {}, pattern));
    }
    parts.push(model.patterns.length > 0 ? list : element('p', { class: 'empty' }, 'No error keeps coming back in your recent failing runs.'));
    parts.push(
      model.timeline === null
        ? element('p', { class: 'empty', id: 'no-runs' }, 'No runs yet: save an exercise to run its tests.')
        : chart('timeline-chart', model.timeline, 220),
    );
  }
  root.replaceChildren(...parts);
}

window.addEventListener('message', (event: MessageEvent<ProgressMessage | null>) => {
  const message = event.data;
  if (message?.type === 'progress' || message?.type === 'message') {
    draw(message);
  }
});
// VS Code marks the theme on the body's classes: draw again in its colours.
new MutationObserver(() => {
  if (last !== undefined) {
    draw(last);
  }
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });
vscode.postMessage({ type: 'ready' });
