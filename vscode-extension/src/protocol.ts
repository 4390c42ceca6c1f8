/**
 * The server's own messages and commands (docs/lsp.md), as types. Nothing here imports `vscode`,
 * so the pure modules and the tests share it.
 */

export const CATALOG_REQUEST = 'codegym/catalog';
export const PROGRESS_CHANGED_NOTIFICATION = 'codegym/progressChanged';
export const FEEDBACK_NOTIFICATION = 'codegym/feedback';
export const STATEMENT_REQUEST = 'codegym/statement';
export const CONTENT_CHANGED_NOTIFICATION = 'codegym/contentChanged';
export const STATS_REQUEST = 'codegym/stats';

/** `workspace/executeCommand` names understood by `codegym serve`. */
export const ServerCommand = {
  runTests: 'codegym.runTests',
  init: 'codegym.init',
  openExercise: 'codegym.openExercise',
  resetExercise: 'codegym.resetExercise',
  nextExercise: 'codegym.nextExercise',
  hint: 'codegym.hint',
  review: 'codegym.review',
  explainFailure: 'codegym.explainFailure',
  generateTests: 'codegym.generateTests',
} as const;
export type ServerCommand = (typeof ServerCommand)[keyof typeof ServerCommand];

/** The `source` of the diagnostics that report failing tests; their `code` is the test id. */
export const TEST_DIAGNOSTIC_SOURCE = 'codegym';

export type ExerciseStatus = 'new' | 'attempted' | 'solved';

export interface CatalogExercise {
  id: string;
  title: string;
  difficulty: string;
  order: number;
  concepts: string[];
  status: ExerciseStatus;
  /** The exercise's file URI in the workspace, or null when it has none yet. */
  file: string | null;
}

export interface CatalogTopic {
  id: string;
  title: string;
  exercises: CatalogExercise[];
}

export interface CatalogCourse {
  id: string;
  title: string;
  language: string;
  topics: CatalogTopic[];
}

export interface Catalog {
  solved: number;
  total: number;
  courses: CatalogCourse[];
}

export interface ProgressChanged {
  exercise: string;
  status: ExerciseStatus;
  uri: string;
}

export type FeedbackFeature = 'hint' | 'explain' | 'review' | 'tests' | 'concept';
export type FeedbackStatus = 'ok' | 'offline' | 'unavailable' | 'cancelled' | 'error';
export type FeedbackSource = 'llm' | 'cache' | 'authored' | 'rules';

export interface FeedbackBegin {
  id: string;
  kind: 'begin';
  feature: FeedbackFeature;
  exercise: string;
  title: string;
  uri: string;
}

export interface FeedbackChunk {
  id: string;
  kind: 'chunk';
  text: string;
}

export interface FeedbackReset {
  id: string;
  kind: 'reset';
}

export interface FeedbackEnd {
  id: string;
  kind: 'end';
  status: FeedbackStatus;
  /** null when the answer failed or was cancelled before it had a source. */
  source: FeedbackSource | null;
  note: string | null;
  /** The full final Markdown: authoritative over the chunks. */
  text: string;
  /** The URI of `.codegym/feedback/<exercise>/<feature>.md`, or null when nothing was written. */
  file: string | null;
}

export type FeedbackNotification = FeedbackBegin | FeedbackChunk | FeedbackReset | FeedbackEnd;

/** What a tutor command returns once its answer is complete. */
export interface FeedbackResult {
  id: string;
  status: FeedbackStatus;
  file: string | null;
}

/** `codegym/statement`: an exercise's statement for the side view (null: not an exercise). */
export interface Statement {
  id: string;
  title: string;
  language: string;
  difficulty: string;
  concepts: string[];
  /** The statement's Markdown, a line of facts under its title. */
  markdown: string;
}

export interface StatsTopic {
  id: string;
  title: string;
  total: number;
  solved: number;
  attempted: number;
  new: number;
  attempts_to_solve: number | null;
  minutes_to_solve: number | null;
  hints_used: number;
}

export interface StatsCourse {
  id: string;
  title: string;
  language: string;
  topics: StatsTopic[];
}

/** A kind of failure seen often in the learner's last failing runs. */
export interface StatsPattern {
  key: string;
  count: number;
  window: number;
  text: string;
}

export interface StatsDay {
  /** `YYYY-MM-DD`. */
  day: string;
  runs: number;
  solved: number;
  failing_runs: number;
  /** Failing runs of the day by pattern key. */
  patterns: Record<string, number>;
}

/** `codegym/stats`: the learner's progress for the Progress view. */
export interface Stats {
  courses: StatsCourse[];
  patterns: StatsPattern[];
  timeline: StatsDay[];
}
