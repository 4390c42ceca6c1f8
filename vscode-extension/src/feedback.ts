/**
 * The tutor's `codegym/feedback` stream folded into the answer the panel shows. Pure.
 *
 * One answer is shown at a time: a `begin` replaces it; chunks append to it while it streams;
 * `reset` discards the text so far (a replacement answer follows); `end` replaces the text with
 * the authoritative final text and adds the status, source and note. Messages about any other
 * answer (an older one still streaming) are ignored.
 */

import type {
  FeedbackFeature,
  FeedbackNotification,
  FeedbackSource,
  FeedbackStatus,
} from './protocol';

export interface FeedbackAnswer {
  readonly id: string;
  readonly feature: FeedbackFeature;
  readonly exercise: string;
  readonly title: string;
  /** The document the answer is about. */
  readonly uri: string;
  /** Markdown: what has streamed so far, then the final text. */
  readonly text: string;
  /** `streaming` until `end` arrives, then the answer's status. */
  readonly status: 'streaming' | FeedbackStatus;
  readonly source: FeedbackSource | null;
  readonly note: string | null;
  /** The Markdown file the server wrote the answer to. */
  readonly file: string | null;
}

export interface FeedbackState {
  readonly answer: FeedbackAnswer | null;
}

export const EMPTY_FEEDBACK: FeedbackState = { answer: null };

export function reduceFeedback(state: FeedbackState, message: FeedbackNotification): FeedbackState {
  if (message.kind === 'begin') {
    const { id, feature, exercise, title, uri } = message;
    return {
      answer: { id, feature, exercise, title, uri, text: '', status: 'streaming', source: null, note: null, file: null },
    };
  }
  const answer = state.answer;
  if (answer === null || answer.id !== message.id || answer.status !== 'streaming') {
    return state;
  }
  switch (message.kind) {
    case 'chunk':
      return { answer: { ...answer, text: answer.text + message.text } };
    case 'reset':
      return { answer: { ...answer, text: '' } };
    case 'end':
      return {
        answer: {
          ...answer,
          text: message.text,
          status: message.status,
          source: message.source,
          note: message.note,
          file: message.file,
        },
      };
  }
}

/** A notification's params checked for the fields the reducer reads; anything else is dropped. */
export function parseFeedback(params: unknown): FeedbackNotification | undefined {
  if (typeof params !== 'object' || params === null) {
    return undefined;
  }
  const value = params as Record<string, unknown>;
  if (typeof value.id !== 'string') {
    return undefined;
  }
  const id = value.id;
  switch (value.kind) {
    case 'begin':
      return {
        id,
        kind: 'begin',
        // Shown as a label only; a feature this client does not know is shown as it is named.
        feature: text(value.feature) as FeedbackFeature,
        exercise: text(value.exercise),
        title: text(value.title),
        uri: text(value.uri),
      };
    case 'chunk':
      return typeof value.text === 'string' ? { id, kind: 'chunk', text: value.text } : undefined;
    case 'reset':
      return { id, kind: 'reset' };
    case 'end':
      return {
        id,
        kind: 'end',
        status: oneOf(value.status, STATUSES) ?? 'error',
        source: oneOf(value.source, SOURCES) ?? null,
        note: optionalText(value.note),
        text: text(value.text),
        file: optionalText(value.file),
      };
    default:
      return undefined;
  }
}

const STATUSES: readonly FeedbackStatus[] = ['ok', 'offline', 'unavailable', 'cancelled', 'error'];
const SOURCES: readonly FeedbackSource[] = ['llm', 'cache', 'authored', 'rules'];

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return allowed.find((item) => item === value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function optionalText(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** How many documents' answers the workspace state keeps. */
export const SAVED_ANSWERS = 30;

export interface SavedFeedback {
  answers: FeedbackAnswer[];
  /** The document whose answer the panel showed. */
  shown: string | null;
}

/** What the workspace state keeps: the finished answers, the latest `SAVED_ANSWERS`. */
export function savedAnswers(answers: readonly FeedbackAnswer[], shown: string | null): SavedFeedback {
  return { answers: answers.filter((answer) => answer.status !== 'streaming').slice(-SAVED_ANSWERS), shown };
}

/** The workspace state read back; anything malformed (another version's shape) is dropped. */
export function restoreAnswers(value: unknown): SavedFeedback {
  const saved = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof SavedFeedback, unknown>>;
  const answers = Array.isArray(saved.answers) ? saved.answers.filter(isAnswer) : [];
  return { answers, shown: typeof saved.shown === 'string' ? saved.shown : null };
}

function isAnswer(value: unknown): value is FeedbackAnswer {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const answer = value as Record<string, unknown>;
  return (
    ['id', 'feature', 'exercise', 'title', 'uri', 'text'].every((key) => typeof answer[key] === 'string') &&
    STATUSES.some((status) => status === answer.status) &&
    (answer.source === null || SOURCES.some((source) => source === answer.source)) &&
    (answer.note === null || typeof answer.note === 'string') &&
    (answer.file === null || typeof answer.file === 'string')
  );
}
